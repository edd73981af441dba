"""Narrow the tools the model sees to the few most similar to the request.

Each tool is represented by its description and its example utterances, embedded once; a request is scored against
every text of every tool the actor may use, and the top ``k`` go to the model. Routing is what lets a 135M model choose
among 3 tools instead of 30.

Two things keep entities from drowning intent: figures and period phrases are masked before embedding ("accrue 420 of
rent for October" and "rent balance for October" share the entity "rent", not the intent), and a tool whose name
words appear in the request ("balance", "pipeline", "headcount") gets a small boost, as does the side of the ledger
a request names ("owes us" is receivables, "we owe" payables) and the future tense (forecasts).

"Answer directly" can be ranked too, from its own example utterances (greetings, thanks, questions about the
assistant): when it clearly leads, the graph offers the model no tool at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agent.decision import ANSWER
from erp_core.identity import Actor
from erp_core.resolve.accounts import ALIASES
from retrieval.ports import Embedder
from tools.registry import ToolSpec

_FIGURE = re.compile(r"\b\d[\d,]*(?:\.\d+)?(?:\s*(?:k|m|usd|eur|dollars|euros)\b)?", re.IGNORECASE)
PERIOD_PHRASE = re.compile(r"\b(?:(?:last|this|next|previous|current)\s+(?:month|quarter|year|week)|"
                           r"q[1-4](?:\s*\d{4})?|fy\s*\d{2,4}|ytd|mtd|year to date|"
                           r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?|"
                           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?:\s+\d{4})?|may\s+\d{4}|"
                           r"\d{4}-\d{2}(?:-\d{2})?|today|yesterday)\b", re.IGNORECASE)
# Proper names (a customer, a vendor, a colleague) are entities too: a capitalised word run that does not start the
# sentence. Acronyms (AR, DSO, JE-42) stay: they carry intent.
PROPER_NAME = re.compile(r"(?<![.?!:]\s)(?<!^)\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*\b")
_NAME_WORD_BOOST = 0.06
# Cues sentence embeddings hardly see: who owes whom ("X owes us" ~ "we owe X"), the ledger side's abbreviations,
# words that name a tool's purpose, a comparison with the budget (the figure itself, net income or travel, pulls
# elsewhere) and tense.
_CUES = (
    (re.compile(r"\b(?:owes?|owed|owing)\s+(?:to\s+)?us\b", re.IGNORECASE), "open_invoices"),
    (re.compile(r"\bwe\s+(?:still\s+)?owe\b|\bowed\s+by\s+us\b", re.IGNORECASE), "open_bills"),
    (re.compile(r"\bA/?R\b|\breceivables?\s+aging\b"), "open_invoices"),  # the abbreviations are case-sensitive
    (re.compile(r"\bA/?P\b|\bpayables?\s+aging\b"), "open_bills"),
    (re.compile(r"\b(?:unusual|odd|suspicious|anomal\w*|outliers?|irregular\w*)\b", re.IGNORECASE), "anomaly_review"),
    (re.compile(r"\b(?:against|vs\.?|versus|compared (?:to|with))\s+(?:the\s+|our\s+)?(?:budget|plan)\b",
                re.IGNORECASE), "budget_vs_actual"),
    # A question about the assistant itself: "you" as the subject of who/what-are or what-can-you-do.
    (re.compile(r"\b(?:who|what)\s+(?:are|were)\s+you\b|\bwhat\b[^?.!]*\b(?:can|do|could|will)\s+you\s+"
                r"(?:do|help|answer)\b|\babout\s+yourself\b", re.IGNORECASE), ANSWER),
    # Future tense about a coming period asks for a forecast, not for the budget of that period.
    (re.compile(r"\b(?:will|going to|expected to|projected to)\b[^?.!]*\b(?:next|coming|upcoming|rest of)\b",
                re.IGNORECASE), "forecast"),
)
_CUE_BOOST = 0.2
_GENERIC_NAME_WORDS = {"propose", "open", "list", "my", "of", "to", "and", "query", "lookup", "review"}


def _account_words() -> re.Pattern[str]:
    names = sorted({w.lower() for name, aliases in ALIASES.items() for w in (name, *aliases)}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)


ACCOUNT_WORDS = _account_words()


def _stem(word: str) -> str:
    """A crude stem so a tool's name words match their inflections ("reverse" ~ "reversal", "approve" ~ "approvals")."""
    for _ in range(2):
        for suffix in ("ing", "al", "ed", "es", "s", "e"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
    return word


def _period_placeholder(match: re.Match[str]) -> str:
    # "next quarter" asks about the future (a forecast); the period itself is an entity, its direction is intent.
    return "next period" if match.group(0).lower().startswith("next") else "period"


def mask(text: str) -> str:
    """Replace period phrases, figures, account and proper names by placeholders: routing sees the intent, not the
    values."""
    unnamed = PROPER_NAME.sub("someone", PERIOD_PHRASE.sub(_period_placeholder, text))
    return ACCOUNT_WORDS.sub("account", _FIGURE.sub("amount", unnamed))


@dataclass(frozen=True, slots=True)
class RoutedTool:
    name: str
    score: float


def split_direct(routed: Sequence[RoutedTool], k: int) -> tuple[list[RoutedTool], float | None]:
    """(the first ``k`` tools, the score of answering directly when the router weighed it)."""
    direct = next((r.score for r in routed if r.name == ANSWER), None)
    return [r for r in routed if r.name != ANSWER][:k], direct


def narrow(routed: Sequence[RoutedTool], margin: float) -> list[RoutedTool]:
    """Keep only the best tool when it clearly leads the runner-up; otherwise keep all of them.

    Measured on the evaluation set, the router's first choice is right far more often than a 135M model choosing
    among three, so when the router is sure the model's job is only the arguments. Close calls stay with the model.
    """
    if len(routed) > 1 and routed[0].score - routed[1].score >= margin:
        return list(routed[:1])
    return list(routed)


class ToolRouter:
    def __init__(self, embedder: Embedder, tools: Sequence[ToolSpec], direct_examples: Sequence[str] = ()) -> None:
        self._embedder = embedder
        self._tools = {spec.name: spec for spec in tools}
        texts: list[str] = []
        owners: list[str] = []
        for spec in tools:
            for text in (spec.description, *spec.examples):
                texts.append(mask(text))
                owners.append(spec.name)
        # "Answer directly" competes like one more tool, so small talk and questions about the assistant can win.
        self._direct = bool(direct_examples)
        for text in direct_examples:
            texts.append(mask(text))
            owners.append(ANSWER)
        self._owners = np.array(owners)
        self._matrix = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
        self._name_words = {spec.name: set(spec.name.split("_")) - _GENERIC_NAME_WORDS for spec in tools}
        self._name_words[ANSWER] = set()

    def route(self, actor: Actor, request: str, k: int = 3) -> list[RoutedTool]:
        """The ``k`` tools the actor may use that best match ``request``, best first. With direct examples, ``answer``
        may be among them (``k`` tools plus it)."""
        allowed = {name for name, spec in self._tools.items() if spec.allowed(actor)}
        if not allowed:
            return []
        if self._direct:
            allowed.add(ANSWER)
            k += 1
        query = np.asarray(self._embedder.embed_query(mask(request)), dtype=np.float32)
        sims = self._matrix @ query
        best: dict[str, float] = {}
        for owner, sim in zip(self._owners.tolist(), sims.tolist(), strict=True):
            if owner in allowed and sim > best.get(owner, -1.0):
                best[owner] = sim
        words = {_stem(w) for w in re.findall(r"[a-z]+", request.lower())}
        for owner in best:
            hits = sum(1 for w in self._name_words[owner] if _stem(w) in words)
            best[owner] += _NAME_WORD_BOOST * hits
        for cue, owner in _CUES:
            if owner in best and cue.search(request):
                best[owner] += _CUE_BOOST
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)[:k]
        return [RoutedTool(name, round(score, 4)) for name, score in ranked]
