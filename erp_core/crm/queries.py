"""CRM reads: pipeline by stage/owner/quarter, win rate, deals at risk and the account 360. All SQL aggregates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Select, and_, case, extract, func, select
from sqlalchemy.orm import Session

from erp_core.crm.access import as_utc, owner_scope
from erp_core.crm.models import CLOSED_STAGES, OPEN_STAGES, Activity, Contact, CrmAccount, Opportunity
from erp_core.crm.records import load_account
from erp_core.crm.views import (
    Account360,
    ContactView,
    DealAtRisk,
    PipelineRow,
    WinRate,
    account_view,
    activity_view,
    opportunity_view,
)
from erp_core.errors import not_found
from erp_core.identity import Actor
from erp_core.money import fmt, from_minor
from erp_core.servicedesk.queries import ticket_counts_for_account
from erp_core.tenancy import functional_currency

AnySelect = Select[*tuple[Any, ...]]
STALLED_AFTER_DAYS = 45
NO_ACTIVITY_AFTER_DAYS = 30


def _money(minor: int | Decimal | None, currency: str) -> str:
    return fmt(from_minor(int(minor or 0), currency))


def _scoped(stmt: AnySelect, actor: Actor) -> AnySelect:
    owner = owner_scope(actor)
    stmt = stmt.where(Opportunity.tenant == actor.tenant)
    return stmt if owner is None else stmt.where(Opportunity.owner_user_id == owner)


def pipeline(session: Session, actor: Actor, by: Literal["stage", "owner", "quarter"] = "stage", *,
             stage: str | None = None, account_id: int | None = None,
             closing: tuple[dt.date, dt.date] | None = None) -> list[PipelineRow]:
    """Open deals grouped by stage, owner or close quarter, with the probability-weighted amount; optionally only
    one open stage, one customer's deals, or the deals expected to close within ``closing`` (first, last day)."""
    currency = functional_currency(session, actor.tenant)
    weighted = func.sum(Opportunity.amount_minor * Opportunity.probability)
    base = [func.count(Opportunity.id), func.sum(Opportunity.amount_minor), weighted]
    if by == "quarter":
        # Group by month in SQL (portable) and fold months into quarters below.
        year, month = extract("year", Opportunity.close_date), extract("month", Opportunity.close_date)
        stmt: AnySelect = select(year, month, *base).group_by(year, month)
    else:
        column = Opportunity.stage if by == "stage" else Opportunity.owner_user_id
        stmt = select(column, *base).group_by(column)
    stmt = _scoped(stmt.where(Opportunity.stage.in_(OPEN_STAGES)), actor)
    if stage is not None:
        stmt = stmt.where(Opportunity.stage == stage)
    if account_id is not None:
        stmt = stmt.where(Opportunity.account_id == account_id)
    if closing is not None:
        stmt = stmt.where(Opportunity.close_date.between(*closing))
    totals: dict[str, list[int]] = {}
    for row in session.execute(stmt):
        values: tuple[Any, ...]
        if by == "quarter":
            key = f"{int(row[0]):04d}-Q{(int(row[1]) + 2) // 3}"
            values = tuple(row[2:])
        else:
            key, values = str(row[0]), tuple(row[1:])
        acc = totals.setdefault(key, [0, 0, 0])
        for i, value in enumerate(values):
            acc[i] += int(value or 0)
    rows = [PipelineRow(key=key, count=count, amount=_money(amount, currency),
                        weighted_amount=_money(round(Decimal(weight) / 100), currency), currency=currency)
            for key, (count, amount, weight) in totals.items()]
    if by == "stage":
        order = {stage: i for i, stage in enumerate(OPEN_STAGES)}
        rows.sort(key=lambda r: order.get(r.key, 99))
    else:
        rows.sort(key=lambda r: r.key)
    return rows


def win_rate(session: Session, actor: Actor, start: dt.date, end: dt.date,
             by_owner: bool = False) -> list[WinRate]:
    """Deals closed (won or lost) with a close date in [start, end]: won / (won + lost), overall or per owner."""
    currency = functional_currency(session, actor.tenant)
    won = func.sum(case((Opportunity.stage == "closed_won", 1), else_=0))
    lost = func.sum(case((Opportunity.stage == "closed_lost", 1), else_=0))
    won_amount = func.sum(case((Opportunity.stage == "closed_won", Opportunity.amount_minor), else_=0))
    columns = [won, lost, won_amount]
    stmt = select(Opportunity.owner_user_id, *columns) if by_owner else select(*columns)
    stmt = stmt.where(Opportunity.stage.in_(CLOSED_STAGES), Opportunity.close_date.between(start, end))
    if by_owner:
        stmt = stmt.group_by(Opportunity.owner_user_id).order_by(Opportunity.owner_user_id)
    result: list[WinRate] = []
    for row in session.execute(_scoped(stmt, actor)):
        owner = row[0] if by_owner else None
        n_won, n_lost, amount = (int(v or 0) for v in (row[1:] if by_owner else row))
        total = n_won + n_lost
        result.append(WinRate(owner_user_id=owner, won=n_won, lost=n_lost,
                              win_rate=round(n_won / total, 4) if total else None,
                              won_amount=_money(amount, currency), currency=currency))
    return result


def deals_at_risk(session: Session, actor: Actor, as_of: dt.datetime, limit: int = 50) -> list[DealAtRisk]:
    """Open deals that are past their close date, stalled in a stage, or without recent activity — with reasons."""
    as_of = as_utc(as_of)
    last_activity = (
        select(Activity.opportunity_id, func.max(Activity.occurred_at).label("last_at"))
        .where(Activity.tenant == actor.tenant, Activity.opportunity_id.is_not(None))
        .group_by(Activity.opportunity_id)
        .subquery()
    )
    stalled_before = as_of - dt.timedelta(days=STALLED_AFTER_DAYS)
    quiet_before = as_of - dt.timedelta(days=NO_ACTIVITY_AFTER_DAYS)
    stmt = (
        select(Opportunity, CrmAccount.name, last_activity.c.last_at)
        .join(CrmAccount, CrmAccount.id == Opportunity.account_id)
        .outerjoin(last_activity, last_activity.c.opportunity_id == Opportunity.id)
        .where(Opportunity.stage.in_(OPEN_STAGES))
        .where((Opportunity.close_date < as_of.date()) | (Opportunity.stage_changed_at < stalled_before)
               | (last_activity.c.last_at.is_(None)) | (last_activity.c.last_at < quiet_before))
        .order_by(Opportunity.amount_minor.desc(), Opportunity.id)
    )
    risks: list[DealAtRisk] = []
    for opp, account_name, last_at in session.execute(_scoped(stmt, actor)):
        reasons: list[str] = []
        days_in_stage = (as_of - as_utc(opp.stage_changed_at)).days
        if opp.close_date < as_of.date():
            reasons.append(f"past close date ({opp.close_date.isoformat()}, {(as_of.date() - opp.close_date).days} "
                           "days ago)")
        if days_in_stage > STALLED_AFTER_DAYS:
            reasons.append(f"stalled: {days_in_stage} days in stage {opp.stage}")
        days_quiet = None if last_at is None else (as_of - as_utc(last_at)).days
        if days_quiet is None:
            reasons.append("no activity logged")
        elif days_quiet > NO_ACTIVITY_AFTER_DAYS:
            reasons.append(f"no activity for {days_quiet} days")
        if reasons:
            risks.append(DealAtRisk(opportunity=opportunity_view(opp, account_name), reasons=reasons,
                                    days_since_activity=days_quiet, days_in_stage=days_in_stage))
        if len(risks) >= limit:
            break
    return risks


def account_360(session: Session, actor: Actor, account_id: int, as_of: dt.datetime,
                won_between: tuple[dt.date, dt.date] | None = None) -> Account360:
    """Everything about one customer account: contacts, deals, recent activities and service tickets; with
    ``won_between`` (first and last day), also the deals won with a close date in that span."""
    owner = owner_scope(actor)
    account = load_account(session, actor.tenant, account_id)
    if owner is not None and account.owner_user_id != owner:
        raise not_found("account", account_id)  # a rep's view of someone else's account looks like no account
    currency = functional_currency(session, actor.tenant)
    contacts = session.scalars(select(Contact).where(Contact.tenant == actor.tenant, Contact.account_id == account.id)
                               .order_by(Contact.name))
    opps = list(session.scalars(select(Opportunity).where(Opportunity.tenant == actor.tenant,
                                                          Opportunity.account_id == account.id)
                                .order_by(Opportunity.close_date.desc())))
    activities = session.scalars(select(Activity).where(Activity.tenant == actor.tenant,
                                                        Activity.account_id == account.id)
                                 .order_by(Activity.occurred_at.desc()).limit(10))
    open_tickets, breached = ticket_counts_for_account(session, actor.tenant, account.id, as_utc(as_of))
    won = sum(o.amount_minor for o in opps if o.stage == "closed_won")
    pipeline_minor = sum(o.amount_minor for o in opps if o.stage in OPEN_STAGES)
    return Account360(
        account=account_view(account),
        contacts=[ContactView(id=c.id, name=c.name, email=c.email, title=c.title, phone=c.phone) for c in contacts],
        open_opportunities=[opportunity_view(o, account.name) for o in opps if o.stage in OPEN_STAGES],
        closed_opportunities=[opportunity_view(o, account.name) for o in opps if o.stage in CLOSED_STAGES][:10],
        recent_activities=[activity_view(a) for a in activities],
        open_tickets=open_tickets, breached_tickets=breached,
        lifetime_won=_money(won, currency), open_pipeline=_money(pipeline_minor, currency), currency=currency,
        **_won_between(opps, account.name, currency, won_between),
    )


def _won_between(opps: list[Opportunity], account_name: str, currency: str,
                 span: tuple[dt.date, dt.date] | None) -> dict[str, Any]:
    if span is None:
        return {}
    won = [o for o in opps if o.stage == "closed_won" and span[0] <= o.close_date <= span[1]]
    return {"won_in_period": _money(sum(o.amount_minor for o in won), currency),
            "won_deals_in_period": [opportunity_view(o, account_name) for o in won]}


def find_accounts(session: Session, actor: Actor, query: str, limit: int = 20) -> list[CrmAccount]:
    owner = owner_scope(actor)
    stmt = select(CrmAccount).where(CrmAccount.tenant == actor.tenant,
                                    func.lower(CrmAccount.name).like(f"%{query.strip().lower()}%"))
    if owner is not None:
        stmt = stmt.where(CrmAccount.owner_user_id == owner)
    return list(session.scalars(stmt.order_by(CrmAccount.name).limit(limit)))


def open_pipeline_total(session: Session, tenant: str) -> int:
    """Sum of open deal amounts in minor units (used by KPIs and the seed's sanity checks)."""
    stmt = select(func.coalesce(func.sum(Opportunity.amount_minor), 0)).where(
        and_(Opportunity.tenant == tenant, Opportunity.stage.in_(OPEN_STAGES)))
    return int(session.scalar(stmt) or 0)
