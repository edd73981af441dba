"""Fuzzy matching of a spoken name against a list of (id, name) records: one algorithm for accounts, people,
customers and vendors, so "travel expenses", "Travel Expense" and "6200" all land on the same account."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from erp_core.errors import ErrorCode, refused_value

_STOP = {"the", "a", "an", "of", "for", "and", "account", "accounts", "acct", "expense", "expenses", "cost", "costs",
         "inc", "inc.", "ltd", "gmbh", "llc", "corp", "co", "-", "&"}
_WORD = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> set[str]:
    words = {w for w in _WORD.findall(text.lower()) if w not in _STOP}
    # crude singular form so "subscriptions" meets "subscription"
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


@dataclass(frozen=True, slots=True)
class NameMatch:
    ident: str
    name: str
    score: float


def _score(query: str, qtokens: set[str], ident: str, name: str, aliases: Sequence[str]) -> float:
    q = query.strip().lower()
    if q == ident.lower() or q == name.lower() or q in (a.lower() for a in aliases):
        return 1.0
    best = 0.0
    for candidate in (name, *aliases):
        ctokens = _tokens(candidate)
        overlap = len(qtokens & ctokens) / max(len(qtokens | ctokens), 1) if qtokens and ctokens else 0.0
        contained = 0.15 if qtokens and qtokens <= ctokens else 0.0
        ratio = SequenceMatcher(None, q, candidate.lower()).ratio()
        best = max(best, 0.6 * overlap + 0.25 * ratio + contained)
    return min(best, 0.99)


def match_name(query: str, records: Iterable[tuple[str, str] | tuple[str, str, Sequence[str]]], *, what: str,
               threshold: float = 0.45, margin: float = 0.12) -> NameMatch:
    """The one record ``query`` names, by id, exact name, alias or fuzzy match.

    Raises:
        NexusError: UNKNOWN_NAME (nothing close enough) or AMBIGUOUS_NAME (two close matches), with candidates
            formatted as "id name".
    """
    qtokens = _tokens(query)
    scored = []
    for record in records:
        ident, name = record[0], record[1]
        aliases: Sequence[str] = record[2] if len(record) > 2 else ()
        scored.append(NameMatch(ident, name, _score(query, qtokens, ident, name, aliases)))
    scored.sort(key=lambda m: m.score, reverse=True)
    candidates = [f"{m.ident} {m.name}" for m in scored[:5]]
    if not scored or scored[0].score < threshold:
        raise refused_value(ErrorCode.UNKNOWN_NAME, f"no {what} matches {query!r}", query, candidates=candidates)
    top = scored[0]
    if top.score < 1.0 and len(scored) > 1 and top.score - scored[1].score < margin:
        close = [f"{m.ident} {m.name}" for m in scored if top.score - m.score < margin][:5]
        raise refused_value(ErrorCode.AMBIGUOUS_NAME, f"{query!r} could be several {what}s", query, candidates=close)
    return top
