"""Journal entries through the real services on SQLite and PostgreSQL: policy, approval, replay, reversal."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, select

from erp_core import approvals, ledger, reports
from erp_core.audit import verify_chain
from erp_core.errors import ErrorCode, NexusError
from erp_core.ledger import JournalLine, PeriodRef
from erp_core.ledger.ports import EntryDraft
from erp_core.outbox import OutboxEvent

if TYPE_CHECKING:
    from conftest import Company


def balance(company: Company, code: str) -> Decimal:
    with company.db.read() as session:
        flt = reports.make_filter(as_of=dt.date(2026, 12, 31))
        return Decimal(reports.account_balance(code, company.carol, session, flt)["balance"])


def test_small_entry_posts_directly_with_lines_audit_and_outbox(
    company: Company, make_entry: Callable[..., Any]
) -> None:
    with company.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(make_entry("rent-1", "4200.00"), company.alice, session)
    assert result.created and result.approval is None and result.entry.status == "posted"
    with company.db.read() as session:
        lines = session.scalars(select(JournalLine).where(JournalLine.entry_id == result.entry.id)).all()
        assert sorted((line.debit_minor, line.credit_minor) for line in lines) == [(0, 420000), (420000, 0)]
        events = session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == result.entry.id)).all()
        assert [e.event_type for e in events] == ["gl.journal_entry.posted"]
        assert verify_chain(session, company.tenant) == []
    assert balance(company, "6100") == Decimal("4200.00")
    assert balance(company, "1010") == Decimal("-4200.00")
    assert balance(company, "6000") == Decimal("4200.00")  # header rolls up its children


def test_large_entry_waits_for_controller_then_posts(company: Company, make_entry: Callable[..., Any]) -> None:
    with company.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(make_entry("big-1", "25000.00"), company.alice, session)
        approval_id, digest = result.approval.id, result.entry.payload_hash  # type: ignore[union-attr]
    assert result.entry.status == "pending_approval"
    assert balance(company, "6100") == 0
    with company.db.read() as session:
        assert [a.id for a in approvals.list_pending_for(company.carol, session)] == [approval_id]
        assert approvals.list_pending_for(company.alice, session) == []  # the preparer sees nothing to approve
        assert approvals.list_pending_for(company.frank, session) == []  # no CFO needed below 100k
    with company.db.unit_of_work() as session:
        request = approvals.approve(approval_id, digest, company.carol, session)
    assert request.status == "approved"
    with company.db.read() as session:
        assert ledger.get_journal_entry(result.entry.id, company.alice, session).status == "posted"
    assert balance(company, "6100") == Decimal("25000.00")


def test_entries_over_100k_need_controller_and_cfo(company: Company, make_entry: Callable[..., Any]) -> None:
    with company.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(make_entry("huge", "150000.00"), company.alice, session)
        approval_id, digest = result.approval.id, result.entry.payload_hash  # type: ignore[union-attr]
    with company.db.unit_of_work() as session:
        assert approvals.approve(approval_id, digest, company.carol, session).status == "pending"
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        approvals.approve(approval_id, digest, company.actor("carl", "controller"), session)
    assert err.value.code is ErrorCode.INVALID_STATE  # the controller requirement is already met
    with company.db.unit_of_work() as session:
        assert approvals.approve(approval_id, digest, company.frank, session).status == "approved"
    assert balance(company, "6100") == Decimal("150000.00")


class FixedScorer:
    def __init__(self, score: float) -> None:
        self.value = score
        self.seen: list[EntryDraft] = []

    def score(self, entry_draft: EntryDraft, session: object) -> tuple[float, list[str]]:
        self.seen.append(entry_draft)
        return self.value, ["round amount"]


def test_anomalous_small_entry_gets_a_controller_review(company: Company, make_entry: Callable[..., Any]) -> None:
    scorer = FixedScorer(0.93)
    with company.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(make_entry("odd", "900.00"), company.alice, session, scorer=scorer)
        view = ledger.entry_view(result.entry, session)
    assert scorer.seen[0].functional_amount == Decimal("900.00")
    assert result.entry.status == "pending_approval"
    assert view["anomaly_score"] == pytest.approx(0.93) and view["anomaly_reasons"] == ["round amount"]
    with company.db.unit_of_work() as session:
        request = approvals.get_approval(result.approval.id, company.carol, session)  # type: ignore[union-attr]
        requirements = approvals.approval_view(request, session)["requirements"]
    assert requirements == [
        {"role": "controller", "user_id": None, "count": 1, "approvals": 0, "rules": ["je-anomaly"]}
    ]


def test_replay_returns_the_same_entry_and_other_payload_conflicts(
    company: Company, make_entry: Callable[..., Any]
) -> None:
    with company.db.unit_of_work() as session:
        first = ledger.submit_journal_entry(make_entry("k", "10.00"), company.alice, session)
    with company.db.unit_of_work() as session:
        again = ledger.submit_journal_entry(
            make_entry("k", "10"), company.alice, session
        )  # same amount, other spelling
    assert not again.created and again.entry.id == first.entry.id
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        ledger.submit_journal_entry(make_entry("k", "11.00"), company.alice, session)
    assert err.value.code is ErrorCode.IDEMPOTENCY_CONFLICT
    assert balance(company, "6100") == Decimal("10.00")


def test_segregation_of_duties_and_stale_hash(company: Company, make_entry: Callable[..., Any]) -> None:
    preparer = company.actor("pat", "accountant,controller")
    with company.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(make_entry("sod", "20000.00"), preparer, session)
        approval_id, digest = result.approval.id, result.entry.payload_hash  # type: ignore[union-attr]
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        approvals.approve(approval_id, digest, preparer, session)
    assert err.value.code is ErrorCode.SEGREGATION_OF_DUTIES
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        approvals.approve(approval_id, "0" * 64, company.carol, session)
    assert err.value.code is ErrorCode.STALE_PAYLOAD_HASH
    # The stored document changes behind the approval's back: its current hash no longer matches.
    with company.db.unit_of_work() as session:
        stored = ledger.get_journal_entry(result.entry.id, company.alice, session)
        payload = json.loads(stored.payload)
        payload["lines"][0]["debit"] = payload["lines"][1]["credit"] = "20001.00"
        stored.payload = json.dumps(payload)
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        approvals.approve(approval_id, digest, company.carol, session)
    assert err.value.code is ErrorCode.STALE_PAYLOAD_HASH
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        approvals.approve(approval_id, digest, company.actor("eve", "employee"), session)
    assert err.value.code is ErrorCode.FORBIDDEN
    assert balance(company, "6100") == 0


def test_rejection_closes_the_entry(company: Company, make_entry: Callable[..., Any]) -> None:
    with company.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(make_entry("rej", "50000.00"), company.alice, session)
    with company.db.unit_of_work() as session:
        approvals.reject(result.approval.id, "wrong account", company.carol, session)  # type: ignore[union-attr]
    with company.db.read() as session:
        stored = ledger.get_journal_entry(result.entry.id, company.alice, session)
        assert (stored.status, stored.rejected_reason) == ("rejected", "wrong account")
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        approvals.approve(result.approval.id, result.entry.payload_hash, company.carol, session)  # type: ignore[union-attr]
    assert err.value.code is ErrorCode.INVALID_STATE


def test_delegation_lets_a_delegate_approve_within_its_dates(company: Company, make_entry: Callable[..., Any]) -> None:
    # A delegation lends a named approver's place (a role would need the delegate to hold it: see
    # test_adversarial_delegation.py); the delegate must be a user of the tenant's directory.
    from erp_core.directory import DirectoryUser

    dave = company.actor("dave", "employee")
    today = dt.date.today()
    with company.db.unit_of_work() as session:
        session.add(DirectoryUser(tenant=company.tenant, user_id=dave.user_id, display_name="Dave", roles="employee"))
        approvals.replace_policies(session, company.tenant, [approvals.PolicyRule(
            name="je-carol", document_type=approvals.JOURNAL_ENTRY, min_amount=Decimal(10_000),
            approver_user_id=company.carol.user_id)])
        approvals.delegate_approvals(
            approvals.DelegateApprovals(
                delegate_id=dave.user_id, role=None, valid_from=today, valid_to=today + dt.timedelta(days=3)
            ),
            company.carol,
            session,
        )
        result = ledger.submit_journal_entry(make_entry("del", "12000.00"), company.alice, session)
    with company.db.unit_of_work() as session:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=5)
        assert approvals.list_pending_for(dave, session, now=later) == []  # delegation over
        approvals.approve(result.approval.id, result.entry.payload_hash, dave, session)  # type: ignore[union-attr]
        decisions = approvals.approval_view(result.approval, session)["decisions"]  # type: ignore[arg-type]
    assert decisions[0]["on_behalf_of"] == company.carol.user_id
    assert balance(company, "6100") == Decimal("12000.00")


def test_expired_request_cannot_be_approved_and_expiry_rejects(
    company: Company, make_entry: Callable[..., Any]
) -> None:
    with company.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(make_entry("exp", "30000.00"), company.alice, session)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=15)
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        approvals.approve(
            result.approval.id,
            result.entry.payload_hash,
            company.carol,
            session,  # type: ignore[union-attr]
            now=later,
        )
    assert err.value.code is ErrorCode.INVALID_STATE
    with company.db.unit_of_work() as session:
        assert approvals.expire_overdue(session, company.carol, now=later) == 1
    with company.db.read() as session:
        assert ledger.get_journal_entry(result.entry.id, company.alice, session).status == "rejected"


def test_reversal_restores_balances_and_is_linked(company: Company, make_entry: Callable[..., Any]) -> None:
    with company.db.unit_of_work() as session:
        original = ledger.submit_journal_entry(make_entry("orig", "700.00"), company.alice, session)
    with company.db.unit_of_work() as session:
        reversal = ledger.reverse_journal_entry(
            ledger.ReverseJournalEntry(entry_id=original.entry.id, idempotency_key="orig-rev"), company.alice, session
        )
    assert reversal.entry.status == "posted" and reversal.entry.reverses_id == original.entry.id
    assert balance(company, "6100") == 0 and balance(company, "1010") == 0
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        ledger.reverse_journal_entry(
            ledger.ReverseJournalEntry(entry_id=original.entry.id, idempotency_key="again"), company.alice, session
        )
    assert err.value.code is ErrorCode.CONFLICT
    with company.db.read() as session:
        assert ledger.entry_view(original.entry, session)["reversed_by"] == [reversal.entry.id]


def test_closed_period_refuses_and_reopen_needs_controller(company: Company, make_entry: Callable[..., Any]) -> None:
    september = PeriodRef(year=2026, month=9)
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        ledger.close_period(september, company.alice, session)
    assert err.value.code is ErrorCode.FORBIDDEN
    with company.db.unit_of_work() as session:
        ledger.close_period(september, company.carol, session)
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        ledger.submit_journal_entry(make_entry("sep", "5.00", day=dt.date(2026, 9, 30)), company.alice, session)
    assert err.value.code is ErrorCode.PERIOD_CLOSED
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        ledger.reopen_period(september, company.frank, session)
    assert err.value.code is ErrorCode.FORBIDDEN
    with company.db.unit_of_work() as session:
        ledger.reopen_period(september, company.carol, session)
        ledger.submit_journal_entry(make_entry("sep", "5.00", day=dt.date(2026, 9, 30)), company.alice, session)
    with company.db.read() as session:
        actions = [
            r.action
            for r in session.scalars(
                select(approvals.ApprovalRequest).where(approvals.ApprovalRequest.tenant == company.tenant)
            )
        ]
        assert actions == []
        from erp_core.audit import AuditRecord

        period_actions = session.scalars(
            select(AuditRecord.action)
            .where(
                AuditRecord.tenant == company.tenant,
                AuditRecord.entity_type == "period",
                AuditRecord.entity_id == "2026-09",
            )
            .order_by(AuditRecord.seq)
        ).all()
    assert period_actions == ["period.opened", "period.closed", "period.reopened"]


def test_period_with_pending_entries_cannot_close(company: Company, make_entry: Callable[..., Any]) -> None:
    with company.db.unit_of_work() as session:
        ledger.submit_journal_entry(make_entry("pend", "40000.00"), company.alice, session)
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        ledger.close_period(PeriodRef(year=2026, month=10), company.carol, session)
    assert err.value.code is ErrorCode.VALIDATION_FAILED and err.value.issues[0].code == "entry_pending"


def test_other_tenants_ids_and_accounts_are_invisible(
    company: Company, make_entry: Callable[..., Any], new_company: Callable[..., Any]
) -> None:
    other = new_company(company.db)
    with company.db.unit_of_work() as session:
        mine = ledger.submit_journal_entry(make_entry("x", "60000.00"), company.alice, session)
    with pytest.raises(NexusError) as err, company.db.read() as session:
        ledger.get_journal_entry(mine.entry.id, other.alice, session)
    assert err.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        approvals.approve(mine.approval.id, mine.entry.payload_hash, other.carol, session)  # type: ignore[union-attr]
    assert err.value.code is ErrorCode.NOT_FOUND
    with company.db.unit_of_work() as session:
        ledger.create_account(ledger.CreateAccount(code="9999", name="Theirs", type="expense"), other.root, session)
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        ledger.submit_journal_entry(make_entry("y", "1.00", debit="9999"), company.alice, session)
    assert [i.code for i in err.value.issues] == ["unknown_account"]


def test_bulk_import_reports_every_issue_and_writes_nothing(company: Company, make_entry: Callable[..., Any]) -> None:
    system = company.actor("seed", "system")
    good = [make_entry(f"imp-{i}", f"{i + 1}.00") for i in range(20)]
    bad = [*good, make_entry("imp-3", "1.00"), make_entry("imp-x", "1.001"), make_entry("imp-y", "5.00", debit="6000")]
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        ledger.post_imported_entries(bad, system, session)
    codes = sorted(issue.code for issue in err.value.issues)
    assert codes == ["account_not_postable", "duplicate_idempotency_key", "invalid_amount", "invalid_amount"]
    with company.db.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(JournalLine).where(JournalLine.tenant == company.tenant))
            == 0
        )
    with company.db.unit_of_work() as session:
        ids = ledger.post_imported_entries(good, system, session)
    assert len(ids) == 20 and balance(company, "6100") == Decimal(sum(range(1, 21)))
    with company.db.read() as session:
        assert verify_chain(session, company.tenant) == []


def test_assistant_drafts_wait_for_the_preparers_confirmation(company: Company,
                                                               make_entry: Callable[..., Any]) -> None:
    with company.db.unit_of_work() as session:
        small = ledger.submit_journal_entry(make_entry("draft-1", "50.00"), company.alice, session,
                                            require_human_approval=True)
        large = ledger.submit_journal_entry(make_entry("draft-2", "20000.00"), company.alice, session,
                                            require_human_approval=True)
    assert small.entry.status == large.entry.status == "pending_approval"
    with company.db.read() as session:
        mine = {a.id for a in approvals.list_pending_for(company.alice, session)}
        assert mine == {small.approval.id, large.approval.id}  # type: ignore[union-attr]
        assert [a.id for a in approvals.list_pending_for(company.carol, session)] == [large.approval.id]  # type: ignore[union-attr]
    with company.db.unit_of_work() as session:
        assert approvals.approve(small.approval.id, small.entry.payload_hash, company.alice, session).status == (  # type: ignore[union-attr]
            "approved")
        assert approvals.approve(large.approval.id, large.entry.payload_hash, company.alice, session).status == (  # type: ignore[union-attr]
            "pending")  # confirmed, but the controller's approval is still needed
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        approvals.approve(large.approval.id, large.entry.payload_hash, company.alice, session)  # type: ignore[union-attr]
    assert err.value.code is ErrorCode.CONFLICT
    with company.db.unit_of_work() as session:
        approvals.approve(large.approval.id, large.entry.payload_hash, company.carol, session)  # type: ignore[union-attr]
    assert balance(company, "6100") == Decimal("20050.00")
