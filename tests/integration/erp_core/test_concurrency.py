"""Exactly-once under concurrency on PostgreSQL: many approvers, many retries, one posting."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from erp_core import approvals, ledger
from erp_core.errors import NexusError
from erp_core.ledger import JournalEntry, JournalLine
from erp_core.outbox import OutboxEvent

pytestmark = pytest.mark.postgres

if TYPE_CHECKING:
    from conftest import Company


def race(workers: int, job: Callable[[int], str]) -> Counter[str]:
    """Start ``workers`` threads at the same instant; count their outcomes."""
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            result = job(i)
        except NexusError as err:
            result = err.code.value
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes)


def lines_and_events(company: Company) -> tuple[int, int]:
    with company.db.read() as session:
        lines = session.scalar(
            select(func.count()).select_from(JournalLine).where(JournalLine.tenant == company.tenant)
        )
        events = session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.tenant == company.tenant)
        )
    return int(lines or 0), int(events or 0)


def test_sixteen_approvers_at_once_post_once(
    postgres_db: object, make_entry: Callable[..., Any], new_company: Callable[..., Any]
) -> None:
    company = new_company(postgres_db)  # type: ignore[arg-type]
    with company.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(make_entry("contended", "42000.00"), company.alice, session)
        approval_id, digest = result.approval.id, result.entry.payload_hash  # type: ignore[union-attr]

    def approve(i: int) -> str:
        with company.db.unit_of_work() as session:
            return approvals.approve(approval_id, digest, company.actor(f"ctl{i}", "controller"), session).status

    outcomes = race(16, approve)
    assert outcomes == Counter({"approved": 1, "invalid_state": 15})
    assert lines_and_events(company) == (2, 1)


def test_eight_submissions_of_one_key_make_one_entry(
    postgres_db: object, make_entry: Callable[..., Any], new_company: Callable[..., Any]
) -> None:
    company = new_company(postgres_db)  # type: ignore[arg-type]

    def submit(_i: int) -> str:
        with company.db.unit_of_work() as session:
            result = ledger.submit_journal_entry(make_entry("same-key", "800.00"), company.alice, session)
            return f"{result.entry.id}:{'created' if result.created else 'replayed'}"

    outcomes = race(8, submit)
    ids = {outcome.split(":")[0] for outcome in outcomes}
    assert len(ids) == 1, outcomes
    assert sorted(o.split(":")[1] for o in outcomes.elements()) == ["created"] + ["replayed"] * 7
    with company.db.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.tenant == company.tenant))
            == 1
        )
    assert lines_and_events(company) == (2, 1)


def test_concurrent_postings_of_one_tenant_keep_the_audit_chain_intact(
    postgres_db: object, make_entry: Callable[..., Any], new_company: Callable[..., Any]
) -> None:
    company = new_company(postgres_db)  # type: ignore[arg-type]

    def submit(i: int) -> str:
        with company.db.unit_of_work() as session:
            return ledger.submit_journal_entry(make_entry(f"k{i}", "10.00"), company.alice, session).entry.status

    assert race(8, submit) == Counter({"posted": 8})
    from erp_core.audit import verify_chain

    with company.db.read() as session:
        assert verify_chain(session, company.tenant) == []
