"""Canonical payloads and their hashes: same content, same hash; any change, another hash."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from erp_core.audit.chain import record_hash
from erp_core.audit.hashing import canonical_json, payload_hash
from erp_core.ledger.commands import JournalLineIn, PostJournalEntry
from erp_core.ledger.validation import canonical_payload


def cmd(amount: str, key: str = "k", memo: str = "rent") -> PostJournalEntry:
    return PostJournalEntry(
        date=dt.date(2026, 10, 1),
        memo=memo,
        idempotency_key=key,
        lines=[
            JournalLineIn(account_code="6100", debit=Decimal(amount), currency="USD"),
            JournalLineIn(account_code="1010", credit=Decimal(amount), currency="USD"),
        ],
    )


def test_payload_ignores_key_and_amount_spelling_but_not_content() -> None:
    base = payload_hash(canonical_payload(cmd("100.00")))
    assert payload_hash(canonical_payload(cmd("100", key="other"))) == base
    assert payload_hash(canonical_payload(cmd("100.01"))) != base
    assert payload_hash(canonical_payload(cmd("100.00", memo="Rent"))) != base
    assert payload_hash(canonical_payload(cmd("100.00"), reverses_id="x")) != base


@settings(deadline=None)  # no wall-clock limits: CI machines are shared and busy
@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=6))
def test_canonical_json_is_independent_of_key_order(doc: dict[str, object]) -> None:
    reordered = dict(reversed(list(doc.items())))
    assert canonical_json(doc) == canonical_json(reordered)


def test_record_hash_covers_every_field() -> None:
    fields = ["0" * 64, "acme", 1, "2026-10-01T00:00:00+00:00", "alice", "posted", "journal_entry", "e1", "{}"]
    base = record_hash(*fields)  # type: ignore[arg-type]
    for i, value in enumerate(fields):
        changed = list(fields)
        changed[i] = value + 1 if isinstance(value, int) else f"{value}x"
        assert record_hash(*changed) != base  # type: ignore[arg-type]
