"""CRM, HR, service desk and procurement services on the seeded company: permissions, approvals, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from erp_core.approvals import approve, list_pending_for
from erp_core.audit import AuditRecord, verify_chain
from erp_core.crm.models import Opportunity
from erp_core.crm.queries import account_360, deals_at_risk, pipeline, win_rate
from erp_core.crm.service import UpdateOpportunity, update_opportunity
from erp_core.db import Database
from erp_core.errors import NexusError
from erp_core.hr.models import Employee
from erp_core.hr.queries import find_employees, headcount_by_department, leave_balance_for, org_chart
from erp_core.hr.service import RequestLeave, request_leave
from erp_core.procurement.service import PoLineIn, RaisePurchaseOrder, ReceiveGoods, raise_purchase_order, receive_goods
from erp_core.servicedesk import OpenTicket, UpdateTicket, open_ticket, sla_breach_report, update_ticket
from tests.integration.domains.conftest import actor

MARIA, SAM, HANA, EVE = (actor("maria", "sales_manager"), actor("sam", "sales_rep"), actor("hana", "hr"),
                         actor("eve", "employee"))
AS_OF = dt.datetime(2026, 10, 31, 17, tzinfo=dt.UTC)


def test_pipeline_win_rate_risk_and_360(seeded: Database) -> None:
    with seeded.read() as session:
        stages = pipeline(session, MARIA, by="stage")
        assert [r.key for r in stages][:1] == ["prospecting"] and sum(r.count for r in stages) > 50
        assert all(r.key.startswith("20") for r in pipeline(session, MARIA, by="quarter"))
        mine = pipeline(session, SAM, by="owner")
        assert [r.key for r in mine] == ["sam@acme"]
        rate = win_rate(session, MARIA, dt.date(2025, 1, 1), dt.date(2026, 10, 31))[0]
        assert rate.win_rate is not None and 0.2 < rate.win_rate < 0.6
        risks = deals_at_risk(session, MARIA, AS_OF)
        reasons = " ".join(r for risk in risks for r in risk.reasons)
        assert "no activity" in reasons and ("past close date" in reasons or "stalled" in reasons)
        view = account_360(session, MARIA, risks[0].opportunity.account_id, AS_OF)
        assert view.contacts and (view.open_opportunities or view.closed_opportunities)
        with pytest.raises(NexusError) as err:
            pipeline(session, EVE)
        assert err.value.code == "forbidden"


def test_opportunity_updates_are_approved_and_audited(seeded_sqlite: Database) -> None:
    with seeded_sqlite.unit_of_work() as session:
        opp = session.scalars(select(Opportunity).where(Opportunity.tenant == "acme",
                                                        Opportunity.owner_user_id == "sam@acme",
                                                        Opportunity.stage == "proposal")).first()
        assert opp is not None
        small = update_opportunity(UpdateOpportunity(opportunity_id=opp.id, probability=55), SAM, session)
        assert small.status == "applied" and small.opportunity.probability == 55
        win = update_opportunity(UpdateOpportunity(opportunity_id=opp.id, stage="closed_won"), SAM, session)
        assert win.status == "pending_approval" and win.approval_id is not None
        pending = {r.id: r for r in list_pending_for(MARIA, session)}
        approve(win.approval_id, pending[win.approval_id].payload_hash, MARIA, session)
        session.refresh(opp)
        assert opp.stage == "closed_won"
        actions = session.scalars(select(AuditRecord.action).where(AuditRecord.tenant == "acme",
                                                                   AuditRecord.entity_id == str(opp.id))).all()
        assert actions.count("opportunity.updated") == 2
        other = session.scalars(select(Opportunity).where(Opportunity.tenant == "acme",
                                                          Opportunity.owner_user_id != "sam@acme",
                                                          Opportunity.stage == "negotiation")).first()
        assert other is not None
        with pytest.raises(NexusError) as err:
            update_opportunity(UpdateOpportunity(opportunity_id=other.id, probability=5), SAM, session)
        assert err.value.code == "not_found"
        with pytest.raises(NexusError) as err:  # another tenant's deal looks like no deal
            update_opportunity(UpdateOpportunity(opportunity_id=opp.id, probability=5),
                               actor("maria", "sales_manager", "globex"), session)
        assert err.value.code == "not_found"
        assert verify_chain(session, "acme") == []


def test_salary_band_org_chart_headcount(seeded: Database) -> None:
    with seeded.read() as session:
        for_hr = find_employees(session, HANA, "Alice")[0]
        for_eve = find_employees(session, EVE, "Alice")[0]
        assert for_hr.salary_band is not None and for_eve.salary_band is None
        top = org_chart(session, EVE, depth=4)
        assert len(top) == 1 and top[0].title == "Chief Executive Officer"
        assert len(top[0].reports) == 8  # seven department heads and the executive assistant
        rows = headcount_by_department(session, "acme", [(2024, 11), (2026, 10)])
        assert {r.department_code for r in rows} >= {"ENG", "SALES", "FIN", "EXEC"}
        assert sum(r.headcount for r in rows if r.month == "2026-10") >= 140


def test_leave_request_goes_to_the_manager(seeded_sqlite: Database) -> None:
    with seeded_sqlite.unit_of_work() as session:
        alice = actor("alice", "accountant")
        request = request_leave(RequestLeave(start_date=dt.date(2026, 12, 21), end_date=dt.date(2026, 12, 23)),
                                alice, session)
        assert request.status == "pending_approval" and request.approver_user_id == "carol@acme"
        carol = actor("carol", "controller")
        pending = {r.id: r for r in list_pending_for(carol, session)}
        assert request.approval_id in pending
        with pytest.raises(NexusError):
            approve(request.approval_id, pending[request.approval_id].payload_hash, MARIA, session)
        approve(request.approval_id, pending[request.approval_id].payload_hash, carol, session)
        employee = session.scalars(select(Employee).where(Employee.user_id == "alice@acme")).one()
        balance = leave_balance_for(session, alice, employee.id, dt.date(2026, 12, 31))
        assert balance.taken == "3" and balance.entitlement_days == 20
        with pytest.raises(NexusError) as err:
            request_leave(RequestLeave(start_date=dt.date(2026, 12, 22), end_date=dt.date(2026, 12, 22)), alice,
                          session)
        assert "overlapping_leave" in {i.code for i in err.value.issues}
        with pytest.raises(NexusError) as err:
            leave_balance_for(session, EVE, employee.id, dt.date(2026, 12, 31))
        assert err.value.code == "forbidden"


def test_service_desk_sla(seeded: Database) -> None:
    with seeded.read() as session:
        report = sla_breach_report(session, EVE, dt.date(2024, 11, 1), dt.date(2026, 10, 31), AS_OF)
        assert report.total_tickets >= 2000 and 0 < report.total_breached < report.total_tickets
        assert [r.priority for r in report.rows] == ["urgent", "high", "medium", "low"]


def test_ticket_lifecycle(seeded_sqlite: Database) -> None:
    with seeded_sqlite.unit_of_work() as session:
        opened = dt.datetime(2026, 10, 30, 9, tzinfo=dt.UTC)
        ticket = open_ticket(OpenTicket(subject="Robot arm stops mid-cycle", priority="urgent"), EVE, session,
                             now=opened)
        assert ticket.sla_due_at == opened + dt.timedelta(hours=8)
        done = update_ticket(UpdateTicket(ticket_id=ticket.id, status="resolved"), EVE, session)
        assert done.resolved_at is not None
        with pytest.raises(NexusError) as err:
            update_ticket(UpdateTicket(ticket_id=ticket.id, status="waiting"), EVE, session)
        assert err.value.code == "invalid_state"


def test_purchase_order_approval_by_amount_and_receipt_to_bill(seeded_sqlite: Database) -> None:
    with seeded_sqlite.unit_of_work() as session:
        small = raise_purchase_order(RaisePurchaseOrder(
            vendor_code="V0010", department_code="ENG", description="Test rigs",
            lines=[PoLineIn(description="Torque sensor", account_code="6600", quantity=4, unit_price="250.00")]),
            EVE, session)
        large = raise_purchase_order(RaisePurchaseOrder(
            vendor_code="V0001", department_code="OPS", description="Steel for Q1",
            lines=[PoLineIn(description="Steel coil", account_code="1200", quantity=10, unit_price="6000.00")]),
            EVE, session)
        assert small.status == large.status == "pending_approval"
        frank = actor("frank", "cfo")
        assert large.approval_id in {r.id for r in list_pending_for(frank, session)}
        assert small.approval_id not in {r.id for r in list_pending_for(frank, session)}
        request = {r.id: r for r in list_pending_for(frank, session)}[large.approval_id]
        approve(large.approval_id, request.payload_hash, frank, session)
        receipt = receive_goods(ReceiveGoods(po_id=large.id, received_on=dt.date(2026, 10, 29),
                                             quantities={1: 10}, vendor_invoice_number="PSS-7781"),
                                actor("alice", "accountant"), session)
        assert receipt["purchase_order"]["status"] == "received" and len(receipt["bills"]) == 1
        with pytest.raises(NexusError) as err:
            receive_goods(ReceiveGoods(po_id=small.id, received_on=dt.date(2026, 10, 29), quantities={1: 1},
                                       vendor_invoice_number="X-1"), actor("alice", "accountant"), session)
        assert err.value.code == "invalid_state"
