"""Property tests through the real posting service: the ledger balances, reversals restore, order does not matter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from erp_core import approvals, ledger, reports
from erp_core.db import Database
from erp_core.errors import ErrorCode, NexusError
from erp_core.ledger import JournalLineIn, PeriodRef, PostJournalEntry, ReverseJournalEntry

CODES = ["1010", "1100", "1500", "2010", "3010", "4010", "6100", "6200"]
DB_SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

if TYPE_CHECKING:
    from conftest import Company


@st.composite
def raw_entries(draw: st.DrawFn) -> list[tuple[str, bool, int]]:
    """Lines that may or may not balance; amounts small enough to post without approval."""
    return draw(
        st.lists(st.tuples(st.sampled_from(CODES), st.booleans(), st.integers(1, 150_000)), min_size=1, max_size=5)
    )


@st.composite
def balanced(draw: st.DrawFn) -> list[tuple[str, bool, int]]:
    legs = draw(st.lists(st.tuples(st.sampled_from(CODES), st.integers(1, 200_000)), min_size=1, max_size=3))
    # The closing leg is another account: a line that only cancels a debit to the same account is refused
    # (self_cancelling_lines).
    closing = draw(st.sampled_from([c for c in CODES if c not in {code for code, _ in legs}]))
    return [(code, True, units) for code, units in legs] + [(closing, False, sum(u for _, u in legs))]


def command(key: str, raw: list[tuple[str, bool, int]], day: int = 10) -> PostJournalEntry:
    return PostJournalEntry(
        date=dt.date(2026, 10, day),
        memo=f"entry {key}",
        idempotency_key=key,
        lines=[
            JournalLineIn(
                account_code=code,
                currency="USD",
                **{"debit" if is_debit else "credit": f"{units // 100}.{units % 100:02d}"},
            )
            for code, is_debit, units in raw
        ],
    )


def trial_balance(company: Company) -> dict[str, str]:
    with company.db.read() as session:
        report = reports.trial_balance(company.carol, session, reports.make_filter(as_of=dt.date(2026, 12, 31)))
    assert report["totals"]["debit"] == report["totals"]["credit"]
    return {row["account_code"]: row["balance"] for row in report["rows"]}


@DB_SETTINGS
@given(entries=st.lists(raw_entries(), min_size=1, max_size=6))
def test_accepted_entries_balance_and_rejected_ones_leave_no_trace(
    db: Database, entries: list[list[tuple[str, bool, int]]], new_company: Callable[..., Any]
) -> None:
    company = new_company(db)
    expected: dict[str, int] = {}
    for i, raw in enumerate(entries):
        try:
            with company.db.unit_of_work() as session:
                ledger.submit_journal_entry(command(f"e{i}", raw), company.alice, session)
        except NexusError as err:
            assert err.code in (ErrorCode.VALIDATION_FAILED,)
            continue
        debits = sum(u for _, d, u in raw if d)
        assert debits == sum(u for _, d, u in raw if not d)  # accepted ⇒ balanced
        for code, is_debit, units in raw:
            expected[code] = expected.get(code, 0) + (units if is_debit else -units)
    natural = {"1010": 1, "1100": 1, "1500": 1, "6100": 1, "6200": 1, "2010": -1, "3010": -1, "4010": -1}
    tb = trial_balance(company)
    for code, net in expected.items():
        value = natural[code] * net
        shown = tb.get(code, "0.00")
        assert shown == f"{'-' if value < 0 else ''}{abs(value) // 100}.{abs(value) % 100:02d}"


@DB_SETTINGS
@given(before=st.lists(balanced(), max_size=3), target=balanced())
def test_a_reversal_restores_every_balance(
    db: Database,
    before: list[list[tuple[str, bool, int]]],
    target: list[tuple[str, bool, int]],
    new_company: Callable[..., Any],
) -> None:
    company = new_company(db)
    with company.db.unit_of_work() as session:
        for i, raw in enumerate(before):
            ledger.submit_journal_entry(command(f"b{i}", raw), company.alice, session)
    snapshot = trial_balance(company)
    with company.db.unit_of_work() as session:
        posted = ledger.submit_journal_entry(command("target", target), company.alice, session)
    with company.db.unit_of_work() as session:
        ledger.reverse_journal_entry(
            ReverseJournalEntry(entry_id=posted.entry.id, idempotency_key="rev"), company.alice, session
        )
    assert trial_balance(company) == snapshot


@DB_SETTINGS
@given(entries=st.lists(balanced(), min_size=1, max_size=5), data=st.data())
def test_balances_do_not_depend_on_posting_order(
    db: Database, entries: list[list[tuple[str, bool, int]]], data: st.DataObject, new_company: Callable[..., Any]
) -> None:
    order = data.draw(st.permutations(range(len(entries))))
    first, second = new_company(db), new_company(db)
    for company, sequence in ((first, range(len(entries))), (second, order)):
        for i in sequence:
            with company.db.unit_of_work() as session:
                ledger.submit_journal_entry(command(f"e{i}", entries[i], day=1 + i), company.alice, session)
    assert trial_balance(first) == trial_balance(second)


MUTATIONS = [
    "drop_leg",
    "change_amount",
    "closed_period",
    "inactive_account",
    "header_account",
    "foreign_tenant_account",
    "duplicate_key_other_payload",
    "stale_hash",
    "preparer_approves",
]


def _refused(company: Company, how: str, raw: list[tuple[str, bool, int]], other: Company) -> ErrorCode:
    """Apply one mutation to an otherwise valid submission and return the error code it is refused with."""
    cmd = command("m", raw)
    lines = list(cmd.lines)
    try:
        with company.db.unit_of_work() as session:
            if how == "drop_leg":
                cmd = cmd.model_copy(update={"lines": lines[:-1]})
            elif how == "change_amount":
                bumped = (lines[0].debit or lines[0].credit) + Decimal("0.01")  # type: ignore[operator]
                side = "debit" if lines[0].debit is not None else "credit"
                cmd = cmd.model_copy(update={"lines": [lines[0].model_copy(update={side: bumped}), *lines[1:]]})
            elif how == "closed_period":
                ledger.close_period(PeriodRef(year=2026, month=9), company.carol, session)
                cmd = cmd.model_copy(update={"date": dt.date(2026, 9, 30)})
            elif how in ("inactive_account", "header_account"):
                if how == "inactive_account":
                    ledger.set_account_active(ledger.SetAccountActive(code="6200", active=False), company.root, session)
                code = "6200" if how == "inactive_account" else "6000"
                cmd = cmd.model_copy(update={"lines": [lines[0].model_copy(update={"account_code": code}), *lines[1:]]})
            elif how == "foreign_tenant_account":
                with other.db.unit_of_work() as other_session:
                    ledger.create_account(
                        ledger.CreateAccount(code="8888", name="Theirs", type="asset"), other.root, other_session
                    )
                cmd = cmd.model_copy(
                    update={"lines": [lines[0].model_copy(update={"account_code": "8888"}), *lines[1:]]}
                )
            elif how == "duplicate_key_other_payload":
                ledger.submit_journal_entry(cmd.model_copy(update={"memo": "first"}), company.alice, session)
            elif how in ("stale_hash", "preparer_approves"):
                big = [("6100", True, 5_000_000), ("1010", False, 5_000_000)]  # 50,000.00: controller
                pending = ledger.submit_journal_entry(command("big", big), company.alice, session)
                assert pending.approval is not None
                if how == "stale_hash":
                    approvals.approve(pending.approval.id, "f" * 64, company.carol, session)
                else:
                    approvals.approve(pending.approval.id, pending.entry.payload_hash, company.alice, session)
                raise AssertionError("approval was accepted")
            ledger.submit_journal_entry(cmd, company.alice, session)
    except NexusError as err:
        return err.code
    raise AssertionError(f"mutation {how} was accepted")


@pytest.mark.parametrize("how", MUTATIONS)
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=balanced())
def test_every_mutation_is_refused_and_changes_nothing(
    db: Database, raw: list[tuple[str, bool, int]], how: str, new_company: Callable[..., Any]
) -> None:
    company, other = new_company(db), new_company(db)
    before = trial_balance(company)
    code = _refused(company, how, raw, other)
    expected = {
        "closed_period": ErrorCode.PERIOD_CLOSED,
        "duplicate_key_other_payload": ErrorCode.IDEMPOTENCY_CONFLICT,
        "stale_hash": ErrorCode.STALE_PAYLOAD_HASH,
        "preparer_approves": ErrorCode.SEGREGATION_OF_DUTIES,
    }
    assert code is expected.get(how, ErrorCode.VALIDATION_FAILED)
    assert trial_balance(company) == before  # the failed unit of work rolled back everything
