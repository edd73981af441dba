"""The bulk path's hand-written serialisations give exactly the bytes of the generic ones they stand in for.

Approvals are bound to the payload's hash and the audit chain to each record's hash: a single differing byte would
break both, so each shortcut is compared with ``canonical_json`` / ``json.dumps`` over generated inputs.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from erp_core.audit.chain import record_body, record_hash
from erp_core.audit.hashing import canonical_json, sha256_hex
from erp_core.ledger.commands import JournalLineIn, PostJournalEntry
from erp_core.ledger.models import AccountType
from erp_core.ledger.posting import posted_event
from erp_core.ledger.validation import (
    AccountInfo,
    LedgerContext,
    canonical_payload,
    valid_payload_text,
    validate_entry,
)
from erp_core.money import to_minor

ACCOUNTS = {
    "1010": AccountInfo(1, "1010", AccountType.ASSET, True, True, "USD"),
    "6100": AccountInfo(2, "6100", AccountType.EXPENSE, True, True, "USD"),
    "1011": AccountInfo(3, "1011", AccountType.ASSET, True, True, "EUR"),
    "7000": AccountInfo(4, "7000", AccountType.EXPENSE, True, True, "JPY"),
    "1012": AccountInfo(5, "1012", AccountType.ASSET, True, True, "EUR"),
    "7001": AccountInfo(6, "7001", AccountType.EXPENSE, True, True, "JPY"),
}
CTX = LedgerContext("USD", ACCOUNTS, lambda day: "open",
                    lambda currency, day: {"EUR": Decimal("1.1"), "JPY": Decimal("0.0067")}.get(currency))
# Every code point hypothesis likes but control characters (validation refuses them): quotes, backslashes,
# non-ASCII, line and paragraph separators.
text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
dimension_values = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=0,
                           max_size=8).filter(lambda value: value == value.strip())


@st.composite
def entries(draw: st.DrawFn) -> PostJournalEntry:
    lines = []
    for code, currency in (("1010", "USD"), ("1011", "EUR"), ("7000", "JPY")):
        if code != "1010" and not draw(st.booleans()):
            continue
        units = draw(st.integers(min_value=1, max_value=10**12))
        amount = Decimal(units) if currency == "JPY" else Decimal(units).scaleb(-2)
        dims = draw(st.none() | st.dictionaries(st.sampled_from(["department", "cost_center", "project"]),
                                                dimension_values, max_size=3))
        lines.append(JournalLineIn(account_code=code, debit=amount, currency=currency, dimensions=dims))
        # A debit and credit of one amount to one account is refused as self-cancelling: credit a twin account.
        other = {"USD": "6100", "EUR": "1012", "JPY": "7001"}[currency]
        lines.append(JournalLineIn(account_code=other, credit=amount, currency=currency))
    memo = draw(text.filter(str.strip))  # validation refuses a blank memo
    return PostJournalEntry(date=draw(st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31))), memo=memo,
                            idempotency_key="k", lines=draw(st.permutations(lines)))


@settings(deadline=None)  # no wall-clock limits: CI machines are shared and busy
@given(entries(), st.none() | text)
def test_payload_text_is_the_canonical_json_of_the_payload(cmd: PostJournalEntry, reverses_id: str | None) -> None:
    valid, issues = validate_entry(cmd, CTX)
    assert issues == [] and valid is not None
    # ... the text an approval of the same command is bound to.
    assert valid_payload_text(cmd, valid, reverses_id) == canonical_json(canonical_payload(cmd, reverses_id))


@settings(deadline=None)
@given(entries())
def test_valid_lines_carry_their_minor_units(cmd: PostJournalEntry) -> None:
    valid, _ = validate_entry(cmd, CTX)
    assert valid is not None
    for line in valid.lines:
        assert (line.debit_minor, line.credit_minor) == (to_minor(line.debit, line.currency),
                                                         to_minor(line.credit, line.currency))


@settings(deadline=None)
@given(text, text, st.integers(min_value=0, max_value=2**62), text, text, text, text, text, text)
def test_record_body_is_the_canonical_json_of_the_record(prev: str, tenant: str, seq: int, occurred_at: str,
                                                         actor_id: str, action: str, entity_type: str,
                                                         entity_id: str, data: str) -> None:
    fields = {"tenant": tenant, "seq": seq, "occurred_at": occurred_at, "actor_id": actor_id, "action": action,
              "entity_type": entity_type, "entity_id": entity_id, "data": data}
    body = record_body(tenant, seq, occurred_at, actor_id, action, entity_type, entity_id, data)
    assert body == canonical_json(fields)
    if not any("\ud800" <= ch <= "\udfff" for ch in prev + body):  # lone surrogates have no UTF-8 form at all
        assert record_hash(prev, tenant, seq, occurred_at, actor_id, action, entity_type, entity_id, data) == \
            sha256_hex(prev + canonical_json(fields))


@settings(deadline=None)
@given(text, text, st.none() | text)
def test_posted_event_is_json_dumps_around_the_payload(entry_id: str, digest: str, reverses_id: str | None) -> None:
    payload = '{"date":"2026-01-01","lines":[],"memo":"m"}'
    event = posted_event(entry_id, digest, reverses_id, payload)
    head = json.dumps({"entry_id": entry_id, "payload_hash": digest, "reverses_id": reverses_id})
    assert event == f'{head[:-1]}, "entry": {payload}}}'
    assert json.loads(event)["entry"] == json.loads(payload)
