"""Canonical JSON and SHA-256: the byte form that approvals and the audit chain hash.

Sorted keys, no insignificant whitespace, ``Decimal`` as its plain string, dates as ISO 8601: the same document always
hashes the same on every machine and database.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not canonical-JSON serialisable: {type(value).__name__}")


# One encoder for the process: json.dumps with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def canonical_json(document: Any) -> str:
    """The one serialisation every hash in the product is computed over."""
    return _ENCODER.encode(document)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def payload_hash(document: Any) -> str:
    """SHA-256 of the canonical JSON of ``document`` (what an approval is bound to)."""
    return sha256_hex(canonical_json(document))
