"""``submit_journal_batch`` (the batch endpoint's service) on SQLite and PostgreSQL: validated as a whole, then each
entry under its approval policy, small ones through the bulk path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.approvals import approve
from erp_core.audit import verify_chain
from erp_core.errors import ErrorCode, NexusError
from erp_core.ledger import PostJournalEntry
from erp_core.ledger.batch import submit_journal_batch
from erp_core.ledger.models import JournalEntry, JournalLine
from erp_core.ledger.ports import EntryDraft

Entry = Callable[..., PostJournalEntry]


def _count(company, model: type[JournalEntry] | type[JournalLine]) -> int:  # type: ignore[no-untyped-def]
    with company.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(model.tenant == company.tenant))
                   or 0)


def test_batch_posts_small_entries_and_submits_large_ones(company, make_entry: Entry) -> None:  # type: ignore[no-untyped-def]
    batch = [make_entry("b1", "100.00"), make_entry("b2", "25000.00"), make_entry("b3", "9999.99", debit="6200")]
    with company.db.unit_of_work() as session:
        items = submit_journal_batch(batch, company.alice, session)
    assert [(i.idempotency_key, i.status) for i in items] == [("b1", "posted"), ("b2", "pending_approval"),
                                                               ("b3", "posted")]
    assert items[1].approval_id is not None and items[0].approval_id is None
    assert _count(company, JournalLine) == 4
    with company.db.unit_of_work() as session:
        approve(str(items[1].approval_id), items[1].payload_hash, company.carol, session)
    assert _count(company, JournalLine) == 6
    with company.db.unit_of_work() as session:  # a replay returns what is stored, now posted
        again = submit_journal_batch(batch, company.alice, session)
        assert verify_chain(session, company.tenant) == []
    assert [i.id for i in again] == [i.id for i in items] and again[1].status == "posted"
    assert [i.payload_hash for i in again] == [i.payload_hash for i in items]


def test_an_invalid_batch_stores_nothing_and_lists_every_issue(company, make_entry: Entry) -> None:  # type: ignore[no-untyped-def]
    with company.db.unit_of_work() as session:
        submit_journal_batch([make_entry("kept", "5.00")], company.alice, session)
    bad = [make_entry("ok", "10.00"), make_entry("x1", "10.00", debit="9999"), make_entry("kept", "6.00"),
           make_entry("ok", "10.00"), make_entry("x2", "10.00", debit="1000")]
    with company.db.unit_of_work() as session, pytest.raises(NexusError) as caught:
        submit_journal_batch(bad, company.alice, session)
    assert caught.value.code == ErrorCode.VALIDATION_FAILED
    found = {(i.code, (i.field or "").split(".")[0]) for i in caught.value.issues}
    assert {("unknown_account", "entries[1]"), ("idempotency_conflict", "entries[2]"),
            ("account_not_postable", "entries[4]")} <= found
    assert any(i.code == "duplicate_idempotency_key" for i in caught.value.issues)
    assert _count(company, JournalEntry) == 1
    with company.db.unit_of_work() as session, pytest.raises(NexusError) as refused:
        submit_journal_batch([make_entry("r", "1.00")], company.carol.__class__.of(
            f"sam@{company.tenant}", company.tenant, "sales_rep"), session)
    assert refused.value.code == ErrorCode.FORBIDDEN



def test_batch_entries_are_scored_like_single_ones(company, make_entry: Entry) -> None:  # type: ignore[no-untyped-def]
    from erp_core.anomaly import LedgerAnomalyScorer
    from erp_core.ledger.batch import _scores
    from erp_core.ledger.bulk import prepare_entries, validate_entries

    with company.db.unit_of_work() as session:
        items = submit_journal_batch([make_entry("s1", "120.00"), make_entry("s2", "80.00", debit="6200")],
                                     company.alice, session, scorer=LedgerAnomalyScorer())
    assert [i.status for i in items] == ["posted", "posted"]
    with company.db.read() as session:
        scores = dict(session.execute(select(JournalEntry.idempotency_key, JournalEntry.anomaly_score).where(
            JournalEntry.tenant == company.tenant)).tuples().all())
        assert all(scores[key] is not None and 0.0 <= scores[key] <= 1.0 for key in ("s1", "s2"))
        # one refresh for the batch (score_many) gives what scoring each entry alone gives
        cmds = [make_entry("s3", "120.00"), make_entry("s4", "999.00", debit="6200", day=dt.date(2026, 9, 30))]
        results, _issues, currency = validate_entries(cmds, company.alice, session)
        prepared = prepare_entries(cmds, results)
        batch = _scores(prepared, company.alice, currency, LedgerAnomalyScorer(), session)

        class OneByOne:
            def __init__(self) -> None:
                self.inner = LedgerAnomalyScorer()

            def score(self, draft: EntryDraft, session: Session) -> tuple[float, list[str]]:
                return self.inner.score(draft, session)

        single = _scores(prepared, company.alice, currency, OneByOne(), session)
    assert batch is not None and single is not None
    assert [score for score, _ in batch] == [score for score, _ in single]


def test_a_replay_with_unreadable_amounts_is_a_conflict_not_a_crash(company, make_entry: Entry) -> None:  # type: ignore[no-untyped-def]
    with company.db.unit_of_work() as session:
        submit_journal_batch([make_entry("k", "10.00")], company.alice, session)
    with company.db.unit_of_work() as session, pytest.raises(NexusError) as caught:
        submit_journal_batch([make_entry("k", "10.001")], company.alice, session)
    assert [(i.code, i.field) for i in caught.value.issues] == [("idempotency_conflict",
                                                                 "entries[0].idempotency_key")]
