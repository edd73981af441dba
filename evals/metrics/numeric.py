"""Figures in free text and their comparison with an oracle's value, within a tolerance.

Answers write figures many ways: ``42,000.00``, ``$42,000``, ``42000``, ``42k``, ``18.500,00 €`` (German
grouping), ``(1,250.00)`` for a negative. Every reading is extracted; an expected figure matches when any of them is
within tolerance of it, ignoring the sign (an expense "of 42,000" and a balance "-42,000" state the same amount).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(
    r"(?P<neg>[-−(])?\s?[$€£]?\s?"
    r"(?P<num>\d{1,3}(?:\.\d{3})+,\d{1,2}"  # 18.500,00 (German)
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 42,000.00
    r"|\d+(?:\.\d+)?)"  # 42000 / 42000.5
    r"(?P<suffix>\s?(?:k|m|bn|thousand|million)\b)?",
    re.IGNORECASE)
_SCALE = {"k": Decimal(1_000), "thousand": Decimal(1_000), "m": Decimal(1_000_000), "million": Decimal(1_000_000),
          "bn": Decimal(1_000_000_000)}


def _parse(raw: str) -> Decimal | None:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d{1,2}", raw):
        raw = raw.replace(".", "").replace(",", ".")
    else:
        raw = raw.replace(",", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def extract_numbers(text: str) -> list[Decimal]:
    """Every figure written in ``text``, scaled by a k/m/million suffix and negative when signed or in brackets."""
    out: list[Decimal] = []
    for match in _NUMBER.finditer(text):
        value = _parse(match.group("num"))
        if value is None:
            continue
        suffix = (match.group("suffix") or "").strip().lower()
        if suffix:
            value *= _SCALE[suffix]
        if match.group("neg"):
            value = -value
        out.append(value)
    return out


def figure_matches(expected: Decimal | str | float, text: str, *, rel_tol: float = 0.005,
                   abs_tol: float = 0.01) -> bool:
    """True when some figure in ``text`` is within ``max(abs_tol, rel_tol * |expected|)`` of ``|expected|``."""
    target = abs(Decimal(str(expected)))
    allowed = max(Decimal(str(abs_tol)), Decimal(str(rel_tol)) * target)
    return any(abs(abs(value) - target) <= allowed for value in extract_numbers(text))
