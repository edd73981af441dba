"""Checks on what a user reads: figures shown, figures the data does not back, repetition and prompt echo.

The eval's own reading, independent of the agent's grounding guard (a bug there must not hide itself here).

- A *shown figure* is a number in the visible text that is not a date, a year, a period label ("Q3 2026", "FY2025")
  or a record id ("C0001", "JE-42"); "1.2 million" and "42k" are scaled, "12.5%" is 12.5.
- An *expected figure is present* when a shown figure equals it to the cent, sign aside ("-1,250.00" and
  "(1,250.00)" state an amount of 1,250.00; a figure shown rounded, "17.1 million", does not count as the exact one).
- A figure is *backed* when it equals, up to the rounding its own digits show ("17.1 million" = 17,056,593.73 within
  half of 0.1 million), a figure of the turn's tool data or of the user's message, or one **allowed derivation** of
  them: the sum, difference, ratio, percentage (a ÷ b × 100) or percentage change ((a − b) ÷ b × 100) of two figures,
  the running total (and the total) of one field, or of one field minus another, down the rows of a list (a ledger's
  running balance), or the number of rows of a list. Whole numbers below 10 (list
  numbering, "3 accounts") are not checked, as the agent's guard does not check them either.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from agent.backends.loops import repeats_itself

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_NOT_FIGURES = re.compile("|".join((
    r"\b\d{4}-\d{2}(?:-\d{2})?(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b",  # ISO dates and timestamps
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    rf"(?<![\d.,])\d{{1,2}}(?:st|nd|rd|th)?[ \t]+{_MONTH}(?:[ \t]+\d{{4}})?\b",  # 31 October 2026
    rf"\b{_MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?(?:,?[ \t]+\d{{4}})?\b",  # October 31, 2026
    rf"\b{_MONTH}\s*[–-]\s*{_MONTH}",  # Jul–Sep
    r"\b(?:fy|q[1-4]|h[12])\s*'?\d{2,4}\b|\b\d{4}\s*-?\s*q[1-4]\b",  # FY2025, Q3 2026, 2026-Q3
    r"(?<![\d,.])(?:19|20)\d{2}(?![\d,]|\.\d)",  # a bare year
    r"\b[a-z]+[-_]?\d[\w-]*\b",  # record ids: C0001, JE-42, B5, Q3
    r"\b\d+(?!(?:k|m|bn|b)\b)[a-z][\w-]*\b",  # 3rd, 6h, 2x
)), re.IGNORECASE)
_NUMBER = re.compile(r"(?P<neg>[-−(])?\s?[$€£]?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                     r"(?P<scale>\s?(?:k|m|bn|thousand|million|billion)\b)?", re.IGNORECASE)
_SCALES = {"k": Decimal(1_000), "thousand": Decimal(1_000), "m": Decimal(1_000_000), "million": Decimal(1_000_000),
           "bn": Decimal(1_000_000_000), "billion": Decimal(1_000_000_000)}
_MAX_KNOWN_FOR_PAIRS = 200
CENT = Decimal("0.005")
TRIVIAL_BELOW = 10


@dataclass(frozen=True)
class Figure:
    """A number as written: its value (sign kept), and half of the unit of its last digit (what rounding hides)."""

    raw: str
    value: Decimal
    half_unit: Decimal


def figures(text: str) -> list[Figure]:
    """The figures written in ``text`` (dates, years, period labels and record ids removed)."""
    clean = _NOT_FIGURES.sub(" ", text)
    found = []
    for match in _NUMBER.finditer(clean):
        digits = match.group("num").replace(",", "")
        try:
            value = Decimal(digits)
        except InvalidOperation:
            continue
        decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
        unit = Decimal(1).scaleb(-decimals)
        scale_word = (match.group("scale") or "").strip().lower()
        if scale_word:
            value *= _SCALES[scale_word]
            unit *= _SCALES[scale_word]
        if match.group("neg"):
            value = -value
        found.append(Figure(match.group(0).strip(), value, unit / 2))
    return found


def figure_shown(expected: Decimal, text: str) -> bool:
    """Whether ``text`` shows ``expected`` exactly (to the cent), sign aside."""
    target = abs(expected)
    return any(abs(abs(f.value) - target) <= CENT for f in figures(text))


def phrase_shown(phrase: str, text: str) -> bool:
    """Whether ``text`` quotes ``phrase`` (case and runs of white space aside)."""
    return " ".join(phrase.lower().split()) in " ".join(text.lower().split())


def data_figures(data: Any) -> set[Decimal]:
    """Figures a tool's data holds, with each list's row count and the running totals of its rows' numeric fields
    (each alone, and each minus another: debits minus credits)."""
    known = {abs(f.value) for f in figures(json.dumps(data, default=str))}
    for node in _walk(data):
        if isinstance(node, list):
            known.add(Decimal(len(node)))
            rows = [r for r in node if isinstance(r, dict)]
            columns = {k: [_number(r.get(k)) or Decimal(0) for r in rows] for k in {k for r in rows for k in r}
                       if any(_number(r.get(k)) is not None for r in rows)}
            for key, values in columns.items():
                known.update(abs(v) for v in itertools.accumulate(values))  # running totals, the total last
                for other, minus in columns.items():
                    if other != key:  # a running net: debits minus credits down a ledger
                        known.update(abs(v) for v in itertools.accumulate(a - b for a, b in zip(values, minus,
                                                                                                strict=True)))
    return known


def _walk(node: Any) -> Iterable[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None


def _derivations(known: Sequence[Decimal]) -> list[Decimal]:
    out: set[Decimal] = set()
    for a, b in itertools.permutations(known[:_MAX_KNOWN_FOR_PAIRS], 2):
        out.update((a + b, abs(a - b)))
        if b:
            out.update((a / b, a / b * 100, abs(a - b) / b * 100))
    return sorted(out)


def _near(value: Decimal, ordered: Sequence[Decimal], tolerance: Decimal) -> bool:
    i = bisect.bisect_left(ordered, value - tolerance)
    return i < len(ordered) and ordered[i] <= value + tolerance


def unbacked_figures(text: str, known: Iterable[Decimal]) -> list[str]:
    """Figures of ``text`` that are neither a known figure nor an allowed derivation of two (see the module doc)."""
    ordered = sorted({abs(k) for k in known})
    derived: list[Decimal] | None = None
    out = []
    for figure in figures(text):
        value = abs(figure.value)
        if value == value.to_integral_value() and value < TRIVIAL_BELOW:
            continue
        tolerance = max(figure.half_unit, CENT)
        if _near(value, ordered, tolerance):
            continue
        if derived is None:
            derived = _derivations(ordered)
        if not _near(value, derived, tolerance):
            out.append(figure.raw)
    return out


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_LOOP = re.compile(r"(.{4,80}?)\1{2,}", re.DOTALL)


def repetition(text: str) -> str | None:
    """What repeats in ``text``, or None: a loop (one span of 4 to 80 characters with at least two letters or digits
    three times in a row, digit groups aside: "2026-08-25: 2026-08-25: 2026-08-25:", "Debt to Debt to Debt to"),
    one the agent's own loop guard (``repeats_itself``) would stop, or a sentence of four words or more said twice.
    Markdown table lines are left out: a row of zeros repeats by right."""
    prose = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("|"))
    for match in _LOOP.finditer(prose):
        unit = match.group(1)
        if len(re.findall(r"\w", unit)) >= 2 and not re.fullmatch(r"[\d,.\s]+", unit):  # not 1,000,000,000
            return match.group(0)[:120]
    for end in range(len(prose)):
        if prose[end] in " \n.,;:" and repeats_itself(prose[:end]):
            return prose[max(0, end - 80):end]
    seen: set[str] = set()
    for sentence in _SENTENCE.split(prose):
        key = " ".join(re.findall(r"\w+", sentence.lower()))
        if len(key.split()) >= 4:
            if key in seen:
                return sentence.strip()
            seen.add(key)
    return None


def _shingles(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z]+", text.lower())
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def prompt_echo(text: str, prompts: Iterable[str], allowed: Iterable[str], size: int = 4) -> str | None:
    """A run of ``size`` words of a prompt shown to the user, unless the user's message or the tool data also holds
    it ("The results of the ERP, not instructions."); None when nothing is echoed."""
    prompt_runs = set().union(*(_shingles(re.sub(r"\{\w+\}", " ", p), size) for p in prompts))
    allowed_runs = set().union(*(_shingles(a, size) for a in allowed))
    echoed = sorted((_shingles(text, size) & prompt_runs) - allowed_runs)
    return " ".join(echoed[0]) if echoed else None
