"""HR tools on the seeded company: lookups with the salary band for HR only, the reporting chain, leave balances from
the HR service, leave requests that wait for the requester and their manager, and headcount."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from erp_core.approvals.engine import approve
from erp_core.db import Database
from erp_core.errors import ErrorCode, NexusError
from erp_core.hr.models import LeaveRequest
from erp_core.hr.queries import headcount_at, leave_balance_for
from tests.integration.tools.conftest import TODAY, acme, run_tool
from tools.errors import classify

ALICE, CAROL, EVE, HANA = acme("alice", "accountant"), acme("carol", "controller"), acme("eve"), acme("hana", "hr")


def test_employee_lookup_shows_the_salary_band_to_hr_only(seeded_read_db: Database) -> None:
    seen_by_eve = run_tool(seeded_read_db, EVE, "employee_lookup", {"person": "Maria"})
    assert seen_by_eve.data["name"] == "Maria Alvarez" and seen_by_eve.data["title"] == "VP Sales"
    assert "salary_band" not in seen_by_eve.data and "Maria Alvarez" in seen_by_eve.summary
    seen_by_hr = run_tool(seeded_read_db, HANA, "employee_lookup", {"person": "maria@acme"})
    assert seen_by_hr.data["salary_band"].startswith("B")


def test_ambiguous_person_is_fixable_with_candidates(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, EVE, "employee_lookup", {"person": "Mary"})
    failure = classify(err.value)
    assert failure.kind == "fixable" and failure.code == "ambiguous_name" and len(failure.candidates) >= 2


def test_reporting_chain_of_me_and_of_someone(seeded_read_db: Database) -> None:
    mine = run_tool(seeded_read_db, ALICE, "reporting_chain", {})
    assert [m["name"] for m in mine.data["chain"]] == ["Carol Jensen", "Frank Okafor", "Diane Whitfield"]
    assert mine.summary.startswith("Alice Morgan reports to: Carol Jensen")
    eve = run_tool(seeded_read_db, ALICE, "reporting_chain", {"person": "Eve Novak"})
    assert eve.data["chain"][-1]["name"] == "Diane Whitfield" and len(eve.data["chain"]) == 4


def test_leave_balance_is_the_services_and_private(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, ALICE, "leave_balance", {})
    with seeded_read_db.read() as session:
        expected = leave_balance_for(session, ALICE, out.data["employee_id"], TODAY)
    assert out.data["balance"] == expected.balance and expected.balance in out.summary
    managed = run_tool(seeded_read_db, CAROL, "leave_balance", {"person": "Alice", "leave_type": "sick"})
    assert managed.data["leave_type"] == "sick" and managed.data["employee_name"] == "Alice Morgan"
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, EVE, "leave_balance", {"person": "Alice"})
    assert classify(err.value).kind == "refused"


def _status(db: Database, request_id: int) -> str:
    with db.read() as session:
        request = session.get(LeaveRequest, request_id)
        assert request is not None
        return request.status


def test_a_leave_request_waits_for_the_requester_and_then_the_manager(demo_db: Database) -> None:
    out = run_tool(demo_db, ALICE, "propose_leave_request", {"start_date": "December 21", "end_date": "Dec 23"})
    assert out.approval is not None and set(out.approval.approvers) == {"carol@acme", "alice@acme"}
    card = out.approval.draft
    assert (card["start_date"], card["end_date"], card["days"]) == ("2026-12-21", "2026-12-23", 3)
    request_id = card["leave_request_id"]
    assert _status(demo_db, request_id) == "pending_approval"
    with demo_db.unit_of_work() as session:
        approve(out.approval.approval_id, out.approval.payload_hash, ALICE, session)
    assert _status(demo_db, request_id) == "pending_approval"  # still the manager's call
    with demo_db.unit_of_work() as session:
        approve(out.approval.approval_id, out.approval.payload_hash, CAROL, session)
    assert _status(demo_db, request_id) == "approved"


def _leave_requests(db: Database) -> int:
    with db.read() as session:
        return len(session.scalars(select(LeaveRequest.id).where(LeaveRequest.tenant == "acme")).all())


def test_bad_leave_requests_are_fixable_and_store_nothing(demo_db: Database) -> None:
    before = _leave_requests(demo_db)
    for args in ({"start_date": "2026-12-23", "end_date": "2026-12-21"},  # reversed
                 {"start_date": "2026-12-26"},  # a Saturday: no working day
                 {"start_date": "someday soon"}):
        with pytest.raises(NexusError) as err:
            run_tool(demo_db, ALICE, "propose_leave_request", args)
        assert classify(err.value).kind == "fixable", args
    assert _leave_requests(demo_db) == before


def test_headcount_by_department_and_company(seeded_read_db: Database) -> None:
    eng = run_tool(seeded_read_db, HANA, "headcount", {"department": "engineering"})
    company = run_tool(seeded_read_db, HANA, "headcount", {"period": "Q3"})
    with seeded_read_db.read() as session:
        assert eng.data["total"] == headcount_at(session, "acme", TODAY.replace(day=30), "ENG")
        assert company.data["total"] == headcount_at(session, "acme", TODAY.replace(month=9, day=30))
    assert eng.data["department"] == "ENG" and company.data["month"] == "2026-09"
    assert sum(company.data["by_department"].values()) == company.data["total"]


def test_unknown_department_is_fixable(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, HANA, "headcount", {"department": "quantum research lab"})
    assert err.value.code in (ErrorCode.UNKNOWN_NAME, ErrorCode.AMBIGUOUS_NAME) and err.value.candidates
