"""Opportunity changes: the fields a change may touch, the facts the approval policy matches on, and applying an
approved change. The approval handler (``crm/approval.py``) and the write service (``crm/service.py``) both build on
this module, so neither needs the other."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append
from erp_core.crm.models import CLOSED_STAGES, Opportunity, OpportunityChange
from erp_core.crm.records import load_opportunity
from erp_core.money import fmt, from_minor, to_minor

AMOUNT_REVIEW_RATIO = Decimal("0.25")


def current_values(opp: Opportunity) -> dict[str, Any]:
    """The fields an update may change, in canonical (JSON) form."""
    return {"stage": opp.stage, "amount": fmt(from_minor(opp.amount_minor, opp.currency)),
            "close_date": opp.close_date.isoformat(), "probability": opp.probability,
            "owner_user_id": opp.owner_user_id}


def review_flags(opp: Opportunity, changes: dict[str, Any]) -> frozenset[str]:
    """Facts the approval policy matches on: a win, or an amount change of more than 25%."""
    flags: set[str] = set()
    if changes.get("stage") == "closed_won":
        flags.add("closed_won")
    if "amount" in changes:
        new_minor = to_minor(Decimal(changes["amount"]), opp.currency)
        if abs(new_minor - opp.amount_minor) > AMOUNT_REVIEW_RATIO * opp.amount_minor:
            flags.add("amount_change_gt_25pct")
    return frozenset(flags)


def apply_change(session: Session, change: OpportunityChange, actor_id: str) -> None:
    """Write an approved change to the opportunity and the audit log, in the caller's transaction."""
    opp = load_opportunity(session, change.tenant, change.opportunity_id)
    before = current_values(opp)
    changes: dict[str, Any] = json.loads(change.changes)
    now = dt.datetime.now(dt.UTC)
    if "stage" in changes:
        opp.stage = changes["stage"]
        opp.stage_changed_at = now
        opp.closed_at = now if opp.stage in CLOSED_STAGES else None
    if "amount" in changes:
        opp.amount_minor = to_minor(Decimal(changes["amount"]), opp.currency)
    if "close_date" in changes:
        opp.close_date = dt.date.fromisoformat(changes["close_date"])
    if "probability" in changes:
        opp.probability = int(changes["probability"])
    if "owner_user_id" in changes:
        opp.owner_user_id = changes["owner_user_id"]
    opp.updated_at = now
    change.status = "applied"
    change.decided_at = now
    session.flush()
    append(session, change.tenant, AuditEvent(
        actor_id=actor_id, action="opportunity.updated", entity_type="opportunity", entity_id=str(opp.id),
        data={"change_id": change.id, "requested_by": change.requested_by, "before": before,
              "after": current_values(opp), "approval_id": change.approval_id}))
