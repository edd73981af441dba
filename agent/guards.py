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
_DATE = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
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
