"""CRM tools on the seeded company: figures from the CRM services, a rep's scope, and deal changes that wait for a
person (they never apply when the tool runs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from erp_core.approvals.engine import approve, get_approval, reject
from erp_core.crm.models import Opportunity, OpportunityChange
from erp_core.crm.queries import account_360, pipeline
from erp_core.db import Database
from erp_core.errors import ErrorCode, NexusError
from erp_core.resolve.parties import resolve_customer
from tests.integration.tools.conftest import acme, run_tool
from tools.errors import classify

MARIA, SAM = acme("maria", "sales_manager"), acme("sam", "sales_rep")


def test_pipeline_matches_the_service_and_a_rep_sees_their_own(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "pipeline", {})
    with seeded_read_db.read() as session:
        expected = pipeline(session, MARIA, "stage")
        own = pipeline(session, SAM, "owner")
    assert [(r["key"], r["count"], r["amount"]) for r in out.data["rows"]] == [
        (r.key, r.count, r.amount) for r in expected]
    assert f"{sum(r.count for r in expected)} deals" in out.summary
    mine = run_tool(seeded_read_db, SAM, "pipeline", {"by": "owner"})
    assert [r["key"] for r in mine.data["rows"]] == ["sam@acme"] == [r.key for r in own]


def test_pipeline_of_one_stage_and_of_one_customer_add_up_to_the_whole(seeded_read_db: Database) -> None:
    whole = run_tool(seeded_read_db, MARIA, "pipeline", {})
    by_stage = {r["key"]: r for r in whole.data["rows"]}
    negotiation = run_tool(seeded_read_db, MARIA, "pipeline", {"stage": "negotiation"})
    assert [(r["key"], r["amount"]) for r in negotiation.data["rows"]] == \
        [("negotiation", by_stage["negotiation"]["amount"])]
    assert negotiation.presentation is not None and " in negotiation:" in negotiation.presentation.headline
    with seeded_read_db.read() as session:
        view = account_360(session, MARIA, resolve_customer(session, MARIA, "Northwind").id,
                           dt.datetime(2026, 11, 16, 12, tzinfo=dt.UTC))
    northwind = run_tool(seeded_read_db, MARIA, "pipeline", {"customer": "Northwind"})
    total = sum(Decimal(r["amount"]) for r in northwind.data["rows"])
    assert total == sum(Decimal(o.amount) for o in view.open_opportunities)
    assert northwind.query == {"by": "stage", "customer": view.account.name}


def test_the_pipeline_closing_in_a_period_is_that_quarter_of_the_whole(seeded_read_db: Database) -> None:
    by_quarter = {r["key"]: r for r in run_tool(seeded_read_db, MARIA, "pipeline", {"by": "quarter"}).data["rows"]}
    this_quarter = run_tool(seeded_read_db, MARIA, "pipeline", {"by": "quarter", "period": "this quarter"})
    assert [(r["key"], r["count"], r["amount"]) for r in this_quarter.data["rows"]] == \
        [("2026-Q4", by_quarter["2026-Q4"]["count"], by_quarter["2026-Q4"]["amount"])]
    assert this_quarter.presentation is not None
    assert this_quarter.presentation.headline.startswith("Open pipeline closing in Q4 2026 (Oct–Dec): ")
    # the period is remembered as its days, so "and next quarter?" can shift it
    assert this_quarter.query == {"by": "quarter", "period": {"start": "2026-10-01", "end": "2026-12-31",
                                                             "label": "Q4 2026"}}
    with seeded_read_db.read() as session:
        in_stage = pipeline(session, MARIA, "stage", closing=(dt.date(2026, 10, 1), dt.date(2026, 12, 31)))
    assert sum(r.count for r in in_stage) == by_quarter["2026-Q4"]["count"]


def test_business_won_in_a_period_adds_up_over_the_reps_and_a_rep_sees_their_own(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "won_business", {"period": "Q3"})
    team, reps = out.data["team"], out.data["reps"]
    with seeded_read_db.read() as session:
        won = list(session.scalars(select(Opportunity.amount_minor).where(
            Opportunity.tenant == "acme", Opportunity.stage == "closed_won",
            Opportunity.close_date.between(dt.date(2026, 7, 1), dt.date(2026, 9, 30)))))
    assert team["won"] == len(won) == sum(r["won"] for r in reps) > 0
    assert Decimal(team["won_amount"]) == Decimal(sum(won)) / 100
    assert out.presentation is not None and out.presentation.headline.startswith("Won in Q3 2026 (Jul–Sep): ")
    top = max(reps, key=lambda r: Decimal(r["won_amount"]))
    assert f"Most won: {top['owner_user_id']}" in out.presentation.headline
    assert out.query == {"period": {"start": "2026-07-01", "end": "2026-09-30", "label": "Q3 2026"}}
    mine = run_tool(seeded_read_db, SAM, "won_business", {"period": "Q3"})
    assert {r["owner_user_id"] for r in mine.data["reps"]} <= {"sam@acme"}


def test_deals_at_risk_have_reasons_and_filter_by_customer(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "deals_at_risk", {})
    assert out.data["count"] > 0 and len(out.data["deals"]) <= 15
    assert all(d["reasons"] for d in out.data["deals"])
    northwind = run_tool(seeded_read_db, MARIA, "deals_at_risk", {"customer": "Northwind"})
    assert 0 < northwind.data["count"] <= out.data["count"]
    assert {d["account"] for d in northwind.data["deals"]} == {"Northwind Logistics"}


def test_account_360_by_name(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "account_360", {"customer": "Northwind"})
    with seeded_read_db.read() as session:
        expected = account_360(session, MARIA, 1, dt.datetime(2026, 11, 16, 12, tzinfo=dt.UTC))
    assert out.data["account"]["code"] == "C0001"
    assert out.data["open_pipeline"] == expected.open_pipeline and out.data["lifetime_won"] == expected.lifetime_won
    assert expected.open_pipeline in out.summary and len(out.data["open_opportunities"]) <= 10


def test_a_rep_cannot_reach_another_reps_account(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, SAM, "account_360", {"customer": "Northwind Logistics"})
    assert classify(err.value).kind == "fixable" and err.value.code is ErrorCode.UNKNOWN_NAME


def _stage(db: Database, deal_id: int) -> str:
    with db.read() as session:
        deal = session.get(Opportunity, deal_id)
        assert deal is not None
        return deal.stage


def test_a_small_deal_change_waits_for_the_reps_confirmation(demo_db: Database) -> None:
    out = run_tool(demo_db, SAM, "propose_opportunity_update", {"deal": "Falcon fleet renewal",
                                                                "stage": "negotiation"})
    assert out.approval is not None and out.approval.approvers == ["sam@acme"]
    assert out.approval.draft["changes"]["stage"] == {"from": "proposal", "to": "negotiation"}
    assert _stage(demo_db, 587) == "proposal"  # nothing applied yet
    with demo_db.unit_of_work() as session:
        approve(out.approval.approval_id, out.approval.payload_hash, SAM, session)
    assert _stage(demo_db, 587) == "negotiation"


def test_a_win_needs_a_sales_manager_too_and_rejection_changes_nothing(demo_db: Database) -> None:
    out = run_tool(demo_db, SAM, "propose_opportunity_update", {"deal": "587", "stage": "closed_won"})
    assert out.approval is not None and set(out.approval.approvers) == {"sales_manager", "sam@acme"}
    approval_id = out.approval.approval_id
    with demo_db.unit_of_work() as session:
        approve(approval_id, out.approval.payload_hash, SAM, session)
        assert get_approval(approval_id, SAM, session).status == "pending"
    assert _stage(demo_db, 587) == "proposal"
    with demo_db.unit_of_work() as session:
        reject(approval_id, "not signed yet", MARIA, session)
        change = session.get(OpportunityChange, out.data["change"]["change_id"])
        assert change is not None and change.status == "rejected"
    assert _stage(demo_db, 587) == "proposal"


def test_a_loose_close_date_and_a_no_op_change(demo_db: Database) -> None:
    out = run_tool(demo_db, SAM, "propose_opportunity_update", {"deal": "587", "close_date": "end of January"})
    assert out.approval is not None
    assert out.approval.draft["changes"]["close_date"]["to"] == "2027-01-31"
    with pytest.raises(NexusError) as err:
        run_tool(demo_db, SAM, "propose_opportunity_update", {"deal": "587"})
    assert classify(err.value).kind == "fixable"


def test_only_owners_and_managers_may_propose(demo_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(demo_db, acme("frank", "cfo"), "propose_opportunity_update", {"deal": "587", "stage": "proposal"})
    assert classify(err.value).kind == "refused"


def test_business_won_in_a_period_adds_up_the_won_deals_closed_in_it(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "account_360", {"customer": "Northwind", "period": "FY2025"})
    won = out.data["won_deals_in_period"]
    assert won and all(d["stage"] == "closed_won" and d["close_date"].startswith("2025") for d in won)
    assert Decimal(out.data["won_in_period"]) == sum(Decimal(d["amount"]) for d in won)
    assert Decimal(out.data["won_in_period"]) < Decimal(out.data["lifetime_won"])
    assert out.presentation is not None and out.presentation.headline.startswith("Won with Northwind Logistics")
    assert out.query == {"customer": "C0001", "period": "FY2025"}
    overview = run_tool(seeded_read_db, MARIA, "account_360", {"customer": "Northwind"})
    assert overview.data["won_in_period"] is None and "lifetime won" in overview.summary
