"""Numeric grounding: every figure in an answer must appear in, or be computed from, the turn's tool results.

"Computed from" covers what people ask for: sums, differences, ratios and percentages of two figures, and rounding
(an answer may say 1.2 million or 1,234 for 1,234.56). Anything else is reported as ungrounded.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# 1,234.56 · -12.5 · 45% · 1.2m · 3k; dates and ids are stripped before matching (see _strip_non_figures).
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])[-+]?\d+(?:\.\d+)?")
_SCALE = re.compile(r"\s*(k|m|bn|b|thousand|million|billion)\b", re.IGNORECASE)
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
# Dates and periods, as data writes them (2026-10-31) and as answers write them in words ("31 October 2026",
# "1–15 Oct 2026", "Q3 2026", "FY 2026", "October 2026"): a day or a year is not a figure to ground.
_DATE = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
                   rf"|\b(?:\d{{1,2}}\s*[\u2013-]\s*)?\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?\b"
                   rf"|\b{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b|\b{_MONTH}\s+\d{{4}}\b"
                   r"|\b(?:Q[1-4]|FY|H[12])\s*'?\d{4}\b|\b(?:in|of|for|since|until|by|year)\s+(?:19|20)\d{2}\b",
                   re.IGNORECASE)
_ID = re.compile(r"\b[A-Za-z]+[-_]?\d[\w-]*\b|\b\d+(?!(?:k|m|bn|b)\b)[A-Za-z][\w-]*\b", re.IGNORECASE)
_SCALES = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000, "b": 1_000_000_000,
           "bn": 1_000_000_000, "billion": 1_000_000_000}
_MAX_PAIRS = 40_000
# What the guard appends after an answer quoting a figure it cannot ground (the verified figures follow it).
GUARD_CORRECTION = "\n\nCheck: some figures above are not in the ledger data."


def lead_summaries(summaries: list[str]) -> str:
    """What a read answer opens with: each tool's one-line summary, then a blank line (empty without results).

    The figures lead verbatim from the tools, so a small model's prose cannot garble the ones the user reads first.
    """
    return "".join(f"{summary}\n" for summary in summaries) + ("\n" if summaries else "")


@dataclass(frozen=True)
class GroundingReport:
    ok: bool
    checked: int
    ungrounded: list[str]

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "checked": self.checked, "ungrounded": self.ungrounded}


def _strip_non_figures(text: str) -> str:
    return _ID.sub(" ", _DATE.sub(" ", text))


def figures(text: str) -> list[tuple[str, Decimal]]:
    """Numbers written in ``text`` (with k/m/bn scales applied), excluding dates and record ids."""
    clean = _strip_non_figures(text)
    found = []
    for match in _NUMBER.finditer(clean):
        raw = match.group(0)
        try:
            value = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            continue
        scale = _SCALE.match(clean, match.end())
        if scale:
            value *= _SCALES[scale.group(1).lower()]
            raw += scale.group(0)
        found.append((raw.strip(), value))
    return found


def _close(a: Decimal, b: Decimal) -> bool:
    """Equal up to the rounding a person would do when quoting ``b``."""
    if a == b:
        return True
    if b == 0:
        return abs(a) < Decimal("0.005")
    rel = abs(a - b) / abs(b)
    return rel <= Decimal("0.005") or (abs(a - b) < Decimal("0.5") and abs(a) >= 1)


def _derived(values: list[Decimal]) -> set[Decimal]:
    out: set[Decimal] = set()
    for count, (a, b) in enumerate(itertools.permutations(values, 2)):
        if count > _MAX_PAIRS:
            break
        out.update({a + b, a - b, abs(a - b)})
        if b != 0:
            out.update({a / b, a / b * 100, (a - b) / b * 100})
    return out


def check_grounding(answer: str, sources: Iterable[str], *, trivial_below: int = 10) -> GroundingReport:
    """Check every figure of ``answer`` against ``sources`` (tool results and the user's own words).

    Small integers (counts like "3 invoices", list numbering) below ``trivial_below`` are not checked.
    """
    known = sorted({value for text in sources for _, value in figures(text)})
    derived: set[Decimal] | None = None
    ungrounded: list[str] = []
    checked = 0
    for raw, value in figures(answer):
        if value == value.to_integral_value() and abs(value) < trivial_below:
            continue
        checked += 1
        if any(_close(value, k) for k in known):
            continue
        if derived is None:
            derived = _derived(known[:300])
        if any(_close(value, d) for d in derived):
            continue
        ungrounded.append(raw)
    return GroundingReport(ok=not ungrounded, checked=checked, ungrounded=ungrounded)


# --- sentence checks: model prose is shown a sentence at a time, and only a sentence that passes all of them.

# A sentence ends at . ! ? followed by a space or the end (so "17,056,593.73" stays whole), or at a line break.
# (Only before whitespace: while the model streams, "17056593." may be followed by "73" in the next chunk.)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?(?=\s)|\n+")
# Thousands separators a person would not write: "170,565,93.73", "1,2345".
_MISGROUPED = re.compile(r"\d,(?:\d{1,2}|\d{4,})(?![\d])")
# A figure of five or more integer digits without thousands separators ("17895380.60"): copied from data, not
# written for a person. (Dates and ids are not figures; see _strip_non_figures.)
_UNGROUPED = re.compile(r"(?<![\w.,-])\d{5,}(?:\.\d+)?(?![\w-])")
_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# Structure that is data, not prose: raw JSON or the tool text's DATA line copied into the answer.
_RAW_DATA = re.compile(r"[{}\[\]]|\bDATA\s*:", re.IGNORECASE)
_WORDS = re.compile(r"[a-z0-9']+")
ECHO_WORDS = 5  # a run of this many words shared with a prompt is an echo, not an answer
# What a small model writes when it recites a system prompt rather than answering: it tells the reader what they
# are ("You are an AI assistant…") or gives prompt-style instructions ("Rewrite the input text…").
_PROMPT_LIKE = re.compile(r"^\s*(?:you are|you're)\b.{0,40}\b(?:assistant|ai|model|bot)\b"
                          r"|^\s*(?:rewrite|answer|reply|respond|use only|ignore|translate|summari[sz]e|output)\b"
                          r"|\bnot instructions\b|\b(?:system prompt|the results? (?:are|is) data)\b"
                          r"|^\s*(?:question|user|assistant|answer|results?|earlier|data)\s*:",
                          re.IGNORECASE)


def split_sentences(text: str) -> tuple[list[str], str]:
    """Complete sentences of ``text`` and the unfinished rest (kept back until it ends or the model stops)."""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        sentence = text[start:match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    return sentences, text[start:]


def _shingles(text: str, n: int = ECHO_WORDS) -> set[tuple[str, ...]]:
    words = _WORDS.findall(text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def exact_figure_check(sentence: str, sources: Iterable[str], *, trivial_below: int = 10) -> list[str]:
    """Figures of ``sentence`` that are not exactly one of the sources' figures or an exact derivation of two.

    Stricter than :func:`check_grounding`: no rounding is allowed, because a small model's "about 1.76 billion" for
    176,907.07 is exactly the failure this guards against. A sum or difference of two figures counts when exactly
    equal; a percentage (written with "%" or "percent") when a ratio of two headline figures (those on the first line
    of a source: a tool's summary, the composed headline) equals it at the precision it is written with. Nothing else
    is derived: with hundreds of figures in a turn, rounded derivations would cover almost any small number.
    """
    sources = list(sources)
    known = sorted({value for text in sources for _, value in figures(text)})[:300]
    anchors = sorted({value for text in sources for _, value in figures(text.split("\n", 1)[0])})[:40]
    sums: set[Decimal] | None = None
    wrong = []
    for raw, value in figures(sentence):
        if value == value.to_integral_value() and abs(value) < trivial_below and not _SCALE.search(raw):
            continue
        if value in known and not _SCALE.search(raw):
            continue
        if sums is None:
            sums = {x for a, b in itertools.combinations(known, 2) for x in (a + b, a - b, b - a)}
        if not _SCALE.search(raw) and (value in sums or (_is_percent(raw, sentence) and _a_ratio(value, anchors))):
            continue
        wrong.append(raw)
    return wrong


def _is_percent(raw: str, sentence: str) -> bool:
    return re.search(re.escape(raw) + r"\s*(?:%|percent\b)", sentence, re.IGNORECASE) is not None


def _a_ratio(value: Decimal, known: list[Decimal]) -> bool:
    """Whether ``value`` is a percentage of two known figures (a ÷ b × 100 or a change (a − b) ÷ b × 100) as written."""
    exponent = value.as_tuple().exponent
    step = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
    for count, (a, b) in enumerate(itertools.permutations(known, 2)):
        if count > _MAX_PAIRS:
            return False
        if b and ((a / b * 100).quantize(step) == value or ((a - b) / b * 100).quantize(step) == value):
            return True
    return False


@dataclass(frozen=True)
class SentenceVerdict:
    ok: bool
    reason: str = ""


def check_sentence(sentence: str, *, sources: Iterable[str], shown: str, prompts: Iterable[str]) -> SentenceVerdict:
    """Whether one model sentence may be shown after ``shown`` (the text the user already reads).

    Refused: a figure that is not exactly the turn's (``sources``: tool results and the request), a misgrouped
    number, raw data, a sentence that repeats itself or what is already shown, and text echoed from a prompt.
    """
    if _MISGROUPED.search(sentence):
        return SentenceVerdict(False, "misgrouped number")
    if _RAW_DATA.search(sentence):
        return SentenceVerdict(False, "raw data")
    if not sentence.rstrip("\"')] ").endswith((".", "!", "?")):
        return SentenceVerdict(False, "not a complete sentence")  # a fragment, a copied data line, "…was:"
    if _UNGROUPED.search(sentence):
        return SentenceVerdict(False, "unformatted figure")
    sources = list(sources)
    joined = " ".join(sources)
    if any(day not in joined for day in _ISO_DAY.findall(sentence)):
        return SentenceVerdict(False, "ungrounded date")
    wrong = exact_figure_check(sentence, sources)
    if wrong:
        return SentenceVerdict(False, "ungrounded figure " + ", ".join(wrong))
    from agent.backends.loops import repeats_itself

    words = _WORDS.findall(sentence.lower())
    if repeats_itself(sentence.rstrip(".!? ")) or (len(words) >= 6 and len(set(words)) < len(words) / 2):
        return SentenceVerdict(False, "repeats itself")
    own = _shingles(sentence)
    said = " ".join(words)
    if (own and own & _shingles(shown)) or (said and said in {" ".join(_WORDS.findall(s.lower()))
                                                              for s in split_sentences(shown + " ")[0]}):
        return SentenceVerdict(False, "repeats the answer")
    if (own and any(own & _shingles(prompt) for prompt in prompts)) or _PROMPT_LIKE.search(sentence):
        return SentenceVerdict(False, "echoes the prompt")
    return SentenceVerdict(True)
