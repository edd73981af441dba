"""Does a tool call carry the key arguments a case expects?

Models may phrase an argument differently from the dataset ("Rent expense" for "rent", "2026-10" for "October
2026"), so strings match when one normalised form contains the other; a list in the dataset gives alternatives.
Numbers match numerically. Only the keys the case names are checked: extra arguments are fine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


def _norm(value: Any) -> str:
    return re.sub(r"[^a-z0-9.]+", " ", str(value).lower()).strip()


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None


def value_matches(expected: Any, actual: Any) -> bool:
    """One expected value (or a list of alternatives) against the value the model gave."""
    if isinstance(expected, list):
        return any(value_matches(option, actual) for option in expected)
    if actual is None:
        return expected is None
    want, got = _number(expected), _number(actual)
    if want is not None and got is not None:
        return want == got
    a, b = _norm(expected), _norm(actual)
    return bool(a) and bool(b) and (a in b or b in a)


def argument_matches(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> dict[str, bool]:
    """Per expected key: did the call carry a matching value?"""
    return {key: value_matches(want, actual.get(key)) for key, want in expected.items()}


def arguments_match(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> bool:
    return all(argument_matches(expected, actual).values())
