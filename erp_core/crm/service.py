"""CRM writes. Opportunity updates are permission-checked, go through the approval engine (the policy decides whether a
sales manager must look first) and are audited when applied."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from erp_core.approvals.engine import submit_for_approval
from erp_core.approvals.registry import OPPORTUNITY_UPDATE
from erp_core.crm.access import ensure_can_edit, owner_scope
from erp_core.crm.models import (
    CLOSED_STAGES,
    STAGE_PROBABILITY,
    Activity,
    CrmAccount,
    Opportunity,
    OpportunityChange,
)
from erp_core.crm.records import load_account, load_opportunity
from erp_core.crm.views import ActivityView, OpportunityView, activity_view, opportunity_view
from erp_core.errors import ErrorCode, Issue, NexusError, not_found, validation_error
from erp_core.identity import Actor
from erp_core.money import MoneyError, fmt, from_minor, parse_amount, to_minor
from erp_core.tenancy import functional_currency

Stage = Literal["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"]


class CreateOpportunity(BaseModel):
    """Open a new deal on a customer account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: int = Field(description="CRM account id.")
    name: str = Field(min_length=3, max_length=200, description="Deal name.")
    amount: str = Field(description="Deal value as a decimal string in the tenant's currency, e.g. \"48000.00\".")
    close_date: dt.date = Field(description="Expected close date.")
    stage: Stage = Field("prospecting", description="Sales stage.")
    owner_user_id: str | None = Field(None, description="Owner; default: the creating user.")


class UpdateOpportunity(BaseModel):
    """Change a deal. Amount changes over 25% and wins need a sales manager's approval first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opportunity_id: int = Field(description="Opportunity id.")
    stage: Stage | None = Field(None, description="New stage.")
    amount: str | None = Field(None, description="New amount as a decimal string.")
    close_date: dt.date | None = Field(None, description="New expected close date.")
    probability: int | None = Field(None, ge=0, le=100, description="Win probability in percent.")
    owner_user_id: str | None = Field(None, description="New owner (sales managers only).")


class LogActivity(BaseModel):
    """Record a call, e-mail, meeting, demo or note against an account (and optionally a deal)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: int = Field(description="CRM account id.")
    opportunity_id: int | None = Field(None, description="Opportunity id, if the activity is about one deal.")
    kind: Literal["call", "email", "meeting", "demo", "note"] = Field(description="Kind of activity.")
    subject: str = Field(min_length=1, max_length=200, description="What happened.")
    occurred_at: dt.datetime | None = Field(None, description="When; default: now.")


class OpportunityUpdateResult(BaseModel):
    change_id: int
    status: Literal["applied", "pending_approval"]
    approval_id: str | None
    opportunity: OpportunityView


def _amount_minor(text: str, currency: str, field: str) -> int:
    try:
        amount = parse_amount(text, currency)
    except MoneyError as err:
        raise validation_error([Issue("invalid_amount", str(err), field)]) from None
    if amount <= 0:
        raise validation_error([Issue("amount_not_positive", "amount must be positive", field)])
    return to_minor(amount, currency)


def create_opportunity(cmd: CreateOpportunity, actor: Actor, session: Session) -> OpportunityView:
    owner_scope(actor)
    account = load_account(session, actor.tenant, cmd.account_id)
    owner = cmd.owner_user_id or actor.user_id
    ensure_can_edit(actor, owner)
    currency = functional_currency(session, actor.tenant)
    now = dt.datetime.now(dt.UTC)
    opp = Opportunity(tenant=actor.tenant, account_id=account.id, name=cmd.name.strip(), stage=cmd.stage,
                      amount_minor=_amount_minor(cmd.amount, currency, "amount"), currency=currency,
                      close_date=cmd.close_date, probability=STAGE_PROBABILITY[cmd.stage], owner_user_id=owner,
                      created_at=now, updated_at=now, stage_changed_at=now,
                      closed_at=now if cmd.stage in CLOSED_STAGES else None)
    session.add(opp)
    session.flush()
    return opportunity_view(opp, account.name)


def _requested_changes(cmd: UpdateOpportunity, opp: Opportunity, actor: Actor) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    issues: list[Issue] = []
    if opp.stage in CLOSED_STAGES:
        raise NexusError(ErrorCode.INVALID_STATE, f"opportunity {opp.id} is already {opp.stage}")
    if cmd.stage is not None and cmd.stage != opp.stage:
        changes["stage"] = cmd.stage
        if cmd.probability is None:
            changes["probability"] = STAGE_PROBABILITY[cmd.stage]
    if cmd.amount is not None:
        minor = _amount_minor(cmd.amount, opp.currency, "amount")
        if minor != opp.amount_minor:
            changes["amount"] = fmt(from_minor(minor, opp.currency))
    if cmd.close_date is not None and cmd.close_date != opp.close_date:
        changes["close_date"] = cmd.close_date.isoformat()
    if cmd.probability is not None and cmd.probability != opp.probability:
        changes["probability"] = cmd.probability
    if cmd.owner_user_id is not None and cmd.owner_user_id != opp.owner_user_id:
        if not actor.has_role("sales_manager", "admin"):
            raise NexusError(ErrorCode.FORBIDDEN, "only a sales manager may reassign a deal")
        changes["owner_user_id"] = cmd.owner_user_id
    if changes.get("stage") in CLOSED_STAGES and "probability" in changes:
        changes["probability"] = STAGE_PROBABILITY[changes["stage"]]
    if not changes:
        issues.append(Issue("no_change", "the update changes nothing", None))
    if issues:
        raise validation_error(issues)
    return changes


def update_opportunity(cmd: UpdateOpportunity, actor: Actor, session: Session, *,
                       require_human_approval: bool = False) -> OpportunityUpdateResult:
    """Propose a change; applied at once when the policy asks for no approval, otherwise when approved.

    ``require_human_approval`` (changes the assistant drafted) always waits: at least the requester confirms it.
    """
    opp = load_opportunity(session, actor.tenant, cmd.opportunity_id)
    owner = owner_scope(actor)
    if owner is not None and opp.owner_user_id != owner:
        raise not_found("opportunity", cmd.opportunity_id)
    ensure_can_edit(actor, opp.owner_user_id)
    changes = _requested_changes(cmd, opp, actor)
    change = OpportunityChange(tenant=actor.tenant, opportunity_id=opp.id,
                               changes=json.dumps(changes, sort_keys=True), status="draft",
                               requested_by=actor.user_id, created_at=dt.datetime.now(dt.UTC))
    session.add(change)
    session.flush()
    outcome = submit_for_approval(OPPORTUNITY_UPDATE, str(change.id), actor, session,
                                  require_confirmation=require_human_approval)
    approval_id = outcome.approval.id if outcome.approval is not None else None
    session.refresh(opp)
    account = session.get(CrmAccount, opp.account_id)
    status: Literal["applied", "pending_approval"] = "applied" if change.status == "applied" else "pending_approval"
    return OpportunityUpdateResult(change_id=change.id, status=status, approval_id=approval_id,
                                   opportunity=opportunity_view(opp, account.name if account else None))


def log_activity(cmd: LogActivity, actor: Actor, session: Session) -> ActivityView:
    owner_scope(actor)
    account = load_account(session, actor.tenant, cmd.account_id)
    if cmd.opportunity_id is not None:
        opp = load_opportunity(session, actor.tenant, cmd.opportunity_id)
        if opp.account_id != account.id:
            raise validation_error([Issue("opportunity_not_on_account", "the opportunity belongs to another "
                                          "account", "opportunity_id")])
    activity = Activity(tenant=actor.tenant, account_id=account.id, opportunity_id=cmd.opportunity_id,
                        kind=cmd.kind, subject=cmd.subject.strip(),
                        occurred_at=cmd.occurred_at or dt.datetime.now(dt.UTC), user_id=actor.user_id)
    session.add(activity)
    session.flush()
    return activity_view(activity)
