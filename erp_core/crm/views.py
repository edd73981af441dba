"""CRM read models (amounts as decimal strings, the wire form)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from erp_core.crm.models import Activity, CrmAccount, Opportunity
from erp_core.money import fmt, from_minor


class OpportunityView(BaseModel):
    id: int
    account_id: int
    account_name: str | None = None
    name: str
    stage: str
    amount: str
    currency: str
    close_date: dt.date
    probability: int
    owner_user_id: str
    stage_changed_at: dt.datetime


class AccountView(BaseModel):
    id: int
    code: str
    name: str
    industry: str
    country: str
    segment: str
    owner_user_id: str


class ContactView(BaseModel):
    id: int
    name: str
    email: str
    title: str
    phone: str


class ActivityView(BaseModel):
    id: int
    kind: str
    subject: str
    occurred_at: dt.datetime
    user_id: str
    opportunity_id: int | None


class PipelineRow(BaseModel):
    key: str  # the stage, owner or quarter ("2026-Q3")
    count: int
    amount: str
    weighted_amount: str
    currency: str


class WinRate(BaseModel):
    owner_user_id: str | None
    won: int
    lost: int
    win_rate: float | None  # won / (won + lost); None when nothing closed
    won_amount: str
    currency: str


class DealAtRisk(BaseModel):
    opportunity: OpportunityView
    reasons: list[str]
    days_since_activity: int | None
    days_in_stage: int


class Account360(BaseModel):
    account: AccountView
    contacts: list[ContactView]
    open_opportunities: list[OpportunityView]
    closed_opportunities: list[OpportunityView]
    recent_activities: list[ActivityView]
    open_tickets: int
    breached_tickets: int
    lifetime_won: str
    open_pipeline: str
    currency: str
    won_in_period: str | None = None  # when a period was asked for: deals won (closed) within it
    won_deals_in_period: list[OpportunityView] = []


def opportunity_view(opp: Opportunity, account_name: str | None = None) -> OpportunityView:
    return OpportunityView(
        id=opp.id, account_id=opp.account_id, account_name=account_name, name=opp.name, stage=opp.stage,
        amount=fmt(from_minor(opp.amount_minor, opp.currency)), currency=opp.currency, close_date=opp.close_date,
        probability=opp.probability, owner_user_id=opp.owner_user_id, stage_changed_at=opp.stage_changed_at,
    )


def account_view(account: CrmAccount) -> AccountView:
    return AccountView(id=account.id, code=account.code, name=account.name, industry=account.industry,
                       country=account.country, segment=account.segment, owner_user_id=account.owner_user_id)


def activity_view(activity: Activity) -> ActivityView:
    return ActivityView(id=activity.id, kind=activity.kind, subject=activity.subject,
                        occurred_at=activity.occurred_at, user_id=activity.user_id,
                        opportunity_id=activity.opportunity_id)
