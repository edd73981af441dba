"""Delegation: an approver lets another user act for them over a date range."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.approvals.models import ApprovalDelegation
from erp_core.audit import AuditEvent, append
from erp_core.errors import ErrorCode, Issue, NexusError, not_found, validation_error
from erp_core.identity import Actor

MAX_DELEGATION_DAYS = 366


class DelegateApprovals(BaseModel):
    """Let ``delegate_id`` approve in my place from ``valid_from`` to ``valid_to`` (inclusive)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    delegate_id: str = Field(min_length=1, max_length=200, description="User who acts for me, e.g. \"dave@acme\".")
    role: str | None = Field(None, max_length=64, description="Role whose approvals are delegated (I must hold it); "
                                                               "omit to delegate only approvals naming me.")
    valid_from: dt.date = Field(description="First day of the delegation.")
    valid_to: dt.date = Field(description="Last day of the delegation.")


def delegate_approvals(cmd: DelegateApprovals, actor: Actor, session: Session) -> ApprovalDelegation:
    """Create a delegation from ``actor``; refused for oneself, reversed or over-long ranges, or roles not held."""
    issues = []
    if cmd.delegate_id == actor.user_id:
        issues.append(Issue("self_delegation", "you cannot delegate to yourself", "delegate_id"))
    if cmd.valid_to < cmd.valid_from:
        issues.append(Issue("invalid_range", "valid_to is before valid_from", "valid_to"))
    elif (cmd.valid_to - cmd.valid_from).days > MAX_DELEGATION_DAYS:
        issues.append(Issue("range_too_long", f"a delegation lasts at most {MAX_DELEGATION_DAYS} days", "valid_to"))
    if issues:
        raise validation_error(issues)
    if cmd.role is not None and not actor.has_role(cmd.role):
        raise NexusError(ErrorCode.FORBIDDEN, f"you do not hold the role {cmd.role} and cannot delegate it")
    grant = ApprovalDelegation(tenant=actor.tenant, delegator_id=actor.user_id, delegate_id=cmd.delegate_id,
                               role=cmd.role, valid_from=cmd.valid_from, valid_to=cmd.valid_to)
    session.add(grant)
    session.flush()
    append(session, actor.tenant, AuditEvent(actor.user_id, "delegation.created", "delegation", str(grant.id),
                                             cmd.model_dump(mode="json")))
    return grant


def revoke_delegation(delegation_id: int, actor: Actor, session: Session) -> None:
    grant = session.scalars(select(ApprovalDelegation).where(
        ApprovalDelegation.id == delegation_id, ApprovalDelegation.tenant == actor.tenant,
        ApprovalDelegation.delegator_id == actor.user_id)).first()
    if grant is None:
        raise not_found("delegation", delegation_id)
    grant.revoked = True
    append(session, actor.tenant, AuditEvent(actor.user_id, "delegation.revoked", "delegation", str(grant.id), {}))
