"""CRM tools: pipeline, business won (win rate by rep), deals at risk, the account 360 and proposed deal updates.

A sales rep sees only their own book and everyone else with CRM access sees all deals: ``erp_core.crm.access``
decides, inside every service and resolver these tools call.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from erp_core.approvals.engine import get_approval
from erp_core.crm.access import SALES_ROLES
from erp_core.crm.changes import current_values
from erp_core.crm.models import OpportunityChange
from erp_core.crm.queries import account_360 as account_360_of
from erp_core.crm.queries import deals_at_risk as deals_at_risk_of
from erp_core.crm.queries import pipeline as pipeline_of
from erp_core.crm.queries import win_rate
from erp_core.crm.service import UpdateOpportunity, update_opportunity
from erp_core.resolve.days import resolve_day
from erp_core.resolve.domain_queries import (
    CustomerQuery,
    DealsAtRiskQuery,
    OpportunityUpdateDraft,
    PipelineQuery,
    WonQuery,
)
from erp_core.resolve.parties import resolve_customer, resolve_opportunity
from erp_core.resolve.periods import resolve_period
from tools import present_people as present
from tools.context import ToolContext
from tools.formatting import period_to_date, period_words
from tools.output import ToolOutput
from tools.proposals import approval_card
from tools.registry import tool

EDITORS = ("sales_rep", "sales_manager")  # ensure_can_edit: the deal's owner or a sales manager (admins pass anyway)
MAX_ROWS = 15


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


@tool("pipeline", PipelineQuery, roles=SALES_ROLES, examples=(
    "What's in the sales pipeline?", "Pipeline by stage with weighted amounts", "How much pipeline does each rep "
    "carry?", "Which quarter do our open deals close in?", "Which deals are in negotiation?"))
def pipeline(ctx: ToolContext, q: PipelineQuery) -> ToolOutput:
    """Open deals grouped by stage, owner or close quarter, with count, amount and probability-weighted amount."""
    closing = resolve_period(q.period, ctx.today) if q.period else None
    with ctx.db.read() as session:
        customer = resolve_customer(session, ctx.actor, q.customer) if q.customer else None
        customer_name = customer.name if customer is not None else None  # read while the session is open
        rows = pipeline_of(session, ctx.actor, q.by, stage=q.stage,
                           account_id=customer.id if customer is not None else None,
                           closing=(closing.start, closing.end) if closing else None)
    currency = rows[0].currency if rows else ""
    total = sum(r.count for r in rows)
    lines = "; ".join(f"{r.key}: {r.count} deals, {r.amount} {r.currency} (weighted {r.weighted_amount})"
                      for r in rows[:6])
    scope = {"stage": q.stage, "customer": customer_name}
    period = {"period": closing.as_dict()} if closing else {}
    return ToolOutput(f"Open pipeline by {q.by}: {total} deals. {lines}",
                      {"by": q.by, "currency": currency, "rows": [r.model_dump(exclude={"currency"})
                                                                  for r in rows[:MAX_ROWS]]},
                      presentation=present.pipeline(rows[:MAX_ROWS], q.by, **scope, closing=period_words(
                          closing.start, closing.end) if closing else None),
                      query={"by": q.by, **{k: v for k, v in scope.items() if v}, **period})


@tool("won_business", WonQuery, roles=SALES_ROLES, examples=(
    "Which reps closed the most this quarter?", "How much business did we win last quarter?",
    "What is our win rate this year?", "Deals won and lost by rep in Q3"))
def won_business(ctx: ToolContext, q: WonQuery) -> ToolOutput:
    """Deals closed in a period: how many were won and lost, the win rate and the amount won, per rep."""
    rng = resolve_period(q.period or "this year", ctx.today)
    end = min(rng.end, ctx.today) if rng.start <= ctx.today else rng.end
    with ctx.db.read() as session:
        (team,) = win_rate(session, ctx.actor, rng.start, end) or (None,)
        reps = win_rate(session, ctx.actor, rng.start, end, by_owner=True)
    words = period_to_date(rng.start, rng.end, end)
    shown = present.won_business(team, reps, words)
    data = {"period": words, "team": team.model_dump() if team else None, "reps": [r.model_dump() for r in reps]}
    return ToolOutput(shown.headline, data, presentation=shown, query={"period": rng.as_dict()})


@tool("deals_at_risk", DealsAtRiskQuery, roles=SALES_ROLES, examples=(
    "Which deals are at risk?", "Show stalled opportunities", "Any deals past their close date?",
    "Which of my opportunities have gone quiet?"))
def deals_at_risk(ctx: ToolContext, q: DealsAtRiskQuery) -> ToolOutput:
    """Open deals past their close date, stalled in a stage, or without recent activity, with the reasons."""
    with ctx.db.read() as session:
        customer = resolve_customer(session, ctx.actor, q.customer) if q.customer else None
        account_id, customer_name = (customer.id, customer.name) if customer is not None else (None, None)
        risks = deals_at_risk_of(session, ctx.actor, _noon(ctx.today), limit=500)
    if account_id is not None:
        risks = [r for r in risks if r.opportunity.account_id == account_id]
    rows: list[dict[str, Any]] = [
        {"id": r.opportunity.id, "name": r.opportunity.name, "account": r.opportunity.account_name,
         "stage": r.opportunity.stage, "amount": r.opportunity.amount, "currency": r.opportunity.currency,
         "owner": r.opportunity.owner_user_id, "reasons": r.reasons} for r in risks[:MAX_ROWS]]
    top = "; ".join(f"{r['name']} {r['amount']} {r['currency']} ({r['reasons'][0]})" for r in rows[:3])
    return ToolOutput(f"{len(risks)} open deals at risk" + (f"; largest: {top}" if top else ""),
                      {"count": len(risks), "deals": rows},
                      presentation=present.deals_at_risk(rows, len(risks), customer_name),
                      query={"customer": customer_name} if customer_name else {})


@tool("account_360", CustomerQuery, roles=SALES_ROLES, examples=(
    "Give me the full picture on Northwind Logistics", "Account overview for Contoso", "What's going on with "
    "customer C0003: deals, contacts, tickets?", "Tell me everything about Umbrella Pharma",
    "How much have we won with Northwind so far?", "What's our total closed business with Contoso?",
    "How much have we won with Initech this year?"))
def account_360(ctx: ToolContext, q: CustomerQuery) -> ToolOutput:
    """Everything about one customer: owner, contacts, open and won deals, recent activities and service tickets."""
    span, words = None, None
    if q.period:  # business won in that period (up to today when it is still running)
        rng = resolve_period(q.period, ctx.today)
        span = (rng.start, min(rng.end, ctx.today))
        words = period_to_date(rng.start, rng.end, span[1])
    with ctx.db.read() as session:
        account = resolve_customer(session, ctx.actor, q.customer)
        view = account_360_of(session, ctx.actor, account.id, _noon(ctx.today), won_between=span)
    data = view.model_dump(mode="json")
    data["contacts"] = data["contacts"][:5]
    data["open_opportunities"] = data["open_opportunities"][:10]
    data["closed_opportunities"] = data["closed_opportunities"][:5]
    data["recent_activities"] = data["recent_activities"][:5]
    won = f"won in {words}: {view.won_in_period} {view.currency}, " if words else ""
    return ToolOutput(f"{view.account.name} ({view.account.code}, owner {view.account.owner_user_id}): "
                      f"{len(view.open_opportunities)} open deals worth {view.open_pipeline} {view.currency}, "
                      f"{won}lifetime won {view.lifetime_won} {view.currency}, {view.open_tickets} open tickets "
                      f"({view.breached_tickets} past SLA)", data,
                      presentation=present.account_360(view, words),
                      query={"customer": view.account.code, **({"period": q.period} if q.period else {})})


@tool("propose_opportunity_update", OpportunityUpdateDraft, roles=EDITORS, proposes=True, examples=(
    "Move the Falcon fleet renewal deal to negotiation", "Mark deal 587 as closed won",
    "Change the Pioneer opportunity amount to 60000", "Push the close date of the Delta upgrade to end of January"))
def propose_opportunity_update(ctx: ToolContext, draft: OpportunityUpdateDraft) -> ToolOutput:
    """Prepare a change to a deal (stage, amount, close date, probability); a person approves it before it applies."""
    close = resolve_day(draft.close_date, ctx.today) if draft.close_date else None
    with ctx.db.unit_of_work() as session:
        deal = resolve_opportunity(session, ctx.actor, draft.deal)
        before = current_values(deal)
        cmd = UpdateOpportunity(opportunity_id=deal.id, stage=draft.stage, amount=draft.amount, close_date=close,
                                probability=draft.probability)
        result = update_opportunity(cmd, ctx.actor, session, require_human_approval=True)
        request = get_approval(result.approval_id, ctx.actor, session) if result.approval_id else None
        change = session.get(OpportunityChange, result.change_id)
        requested: dict[str, object] = json.loads(change.changes) if change is not None else {}
        changed = {k: {"from": before.get(k), "to": v} for k, v in sorted(requested.items())}
        draft_card = {"opportunity_id": deal.id, "name": deal.name, "change_id": result.change_id,
                      "changes": changed, "summary": f"deal update: {deal.name}"}
        card = approval_card(session, request, draft_card, {"opportunity": changed}) if request else None
    what = ", ".join(f"{k} {v['from']} → {v['to']}" for k, v in changed.items())
    if card is None:
        return ToolOutput(f"Deal {deal.name}: {what} is {result.status}", {"change": draft_card})
    return ToolOutput(f"Change to deal {deal.name} ({what}) is prepared and waits for {', '.join(card.approvers)} "
                      f"(approval {card.approval_id}); nothing changes until then",
                      {"change": draft_card, "approval_id": card.approval_id}, approval=card)

