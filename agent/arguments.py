"""Argument grounding: the model may only pass values the user actually said.

A small model copies the request's words well when told to, and invents values (dates, names) when it does not.
So after decoding, every string argument must be found in the request (case-insensitive, all of its words); an
invented optional value is dropped, and the usual slots — period, as-of date, account, free-text query, memo — are
filled from the request itself by the same patterns routing uses. Required values the user never gave stay as the
model wrote them, and the domain's validation turns them into a model-fixable error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agent.routing import ACCOUNT_WORDS, PERIOD_PHRASE
from tools.registry import ToolSpec

_WORD = re.compile(r"[a-z0-9]+")
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_END_OF = re.compile(r"\b(?:end of|as of|at)\s+(" + PERIOD_PHRASE.pattern + r")", re.IGNORECASE)


def _said(value: str, request: str) -> bool:
    words = _WORD.findall(value.lower())
    if not words:
        return False
    spoken = set(_WORD.findall(request.lower()))
    return value.lower().strip() in request.lower() or all(w in spoken for w in words)


def _period(request: str) -> str | None:
    match = PERIOD_PHRASE.search(request)
    return match.group(0) if match else None


def _as_of(request: str) -> str | None:
    if match := _ISO_DATE.search(request):
        return match.group(0)
    if match := _END_OF.search(request):
        return f"end of {match.group(1)}"
    return _period(request)


def _account(request: str) -> str | None:
    match = ACCOUNT_WORDS.search(request)
    return match.group(0) if match else None


def _whole(request: str) -> str | None:
    return request.strip()[:200] or None


SLOTS: dict[str, Callable[[str], str | None]] = {
    "period": _period,
    "as_of": _as_of,
    "date": _as_of,
    "account": _account,
    "query": _whole,
    "memo": _whole,
}


def _free_text(prop: dict[str, Any]) -> bool:
    """A string the user could have said; choices (enums, constants, referenced enum types) are the model's to pick."""
    text = str(prop)
    return "enum" not in text and "const" not in text and "$ref" not in text


def ground_arguments(spec: ToolSpec, args: dict[str, Any], request: str) -> dict[str, Any]:
    """``args`` with invented free-text values removed and empty slots filled from ``request``."""
    schema = spec.json_schema()
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    grounded: dict[str, Any] = {}
    for name, value in args.items():
        if isinstance(value, str) and name in props and _free_text(props[name]) and not _said(value, request):
            slot = SLOTS.get(name)
            filled = slot(request) if slot else None
            if filled is not None:
                grounded[name] = filled
            elif name in required:
                grounded[name] = value  # the domain says what is wrong with it, as a fixable error
            continue
        grounded[name] = value
    for name, slot in SLOTS.items():
        if name in props and name not in grounded and _free_text(props[name]):
            filled = slot(request)
            if filled is not None:
                grounded[name] = filled
    return grounded
