"""Delegation: an approver lets another user act for them over a date range.

A delegation lends the delegator's *place*, never extra authority:
- the delegate must be a known user of the same tenant, and must hold a delegated role both when the delegation is
  made (directory) and when they decide (their token);
- a delegator and her delegates count as one approver of a document (``circle_of``), so one person's authority never
  fills two slots of a two-approver rule, and a preparer's delegate cannot approve the preparer's document.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from erp_core.approvals.models import ApprovalDelegation
from erp_core.audit import AuditEvent, append
from erp_core.directory import DirectoryUser
from erp_core.errors import ErrorCode, Issue, NexusError, not_found, validation_error
from erp_core.identity import Actor

MAX_DELEGATION_DAYS = 366


class DelegateApprovals(BaseModel):
    """Let ``delegate_id`` approve in my place from ``valid_from`` to ``valid_to`` (inclusive)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    delegate_id: str = Field(min_length=1, max_length=200, description="User who acts for me, e.g. \"dave@acme\"; "
                                                                       "a user of my own tenant.")
    role: str | None = Field(None, max_length=64, description="Role whose approvals are delegated (both of us must "
                                                               "hold it); omit to delegate only approvals naming me.")
    valid_from: dt.date = Field(description="First day of the delegation.")
    valid_to: dt.date = Field(description="Last day of the delegation.")


def _directory_user(session: Session, tenant: str, user_id: str) -> DirectoryUser | None:
    return session.scalar(select(DirectoryUser).where(DirectoryUser.tenant == tenant, DirectoryUser.user_id == user_id))


def delegate_approvals(cmd: DelegateApprovals, actor: Actor, session: Session) -> ApprovalDelegation:
    """Create a delegation from ``actor``.

    Raises:
        NexusError: VALIDATION_FAILED (oneself, reversed or over-long range, unknown or other tenant's delegate,
            delegate without the role), FORBIDDEN (the actor does not hold the role).
    """
    issues = []
    if cmd.delegate_id == actor.user_id:
        issues.append(Issue("self_delegation", "you cannot delegate to yourself", "delegate_id"))
    if cmd.valid_to < cmd.valid_from:
        issues.append(Issue("invalid_range", "valid_to is before valid_from", "valid_to"))
    elif (cmd.valid_to - cmd.valid_from).days > MAX_DELEGATION_DAYS:
        issues.append(Issue("range_too_long", f"a delegation lasts at most {MAX_DELEGATION_DAYS} days", "valid_to"))
    delegate = _directory_user(session, actor.tenant, cmd.delegate_id)
    if delegate is None:
        # Another tenant's user looks exactly like an unknown one.
        issues.append(Issue("unknown_user", f"{cmd.delegate_id} is not a user of your organisation", "delegate_id"))
    elif cmd.role is not None and cmd.role not in delegate.role_set:
        issues.append(Issue("delegate_lacks_role", f"{cmd.delegate_id} does not hold the role {cmd.role}; a "
                            "delegation lends your place, not your role", "delegate_id"))
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


def list_delegations(actor: Actor, session: Session) -> list[ApprovalDelegation]:
    """Delegations the actor gave or received (revoked ones included, newest first)."""
    stmt = select(ApprovalDelegation).where(
        ApprovalDelegation.tenant == actor.tenant,
        or_(ApprovalDelegation.delegator_id == actor.user_id, ApprovalDelegation.delegate_id == actor.user_id),
    ).order_by(ApprovalDelegation.id.desc())
    return list(session.scalars(stmt))


def revoke_delegation(delegation_id: int, actor: Actor, session: Session) -> ApprovalDelegation:
    """Revoke one of the actor's own delegations (idempotent); someone else's looks unknown (NOT_FOUND)."""
    grant = session.scalars(select(ApprovalDelegation).where(
        ApprovalDelegation.id == delegation_id, ApprovalDelegation.tenant == actor.tenant,
        ApprovalDelegation.delegator_id == actor.user_id)).first()
    if grant is None:
        raise not_found("delegation", delegation_id)
    if not grant.revoked:
        grant.revoked = True
        append(session, actor.tenant, AuditEvent(actor.user_id, "delegation.revoked", "delegation", str(grant.id),
                                                 {"delegate_id": grant.delegate_id, "role": grant.role}))
    return grant


def delegation_view(grant: ApprovalDelegation, today: dt.date | None = None) -> dict[str, object]:
    day = today or dt.date.today()
    return {"id": grant.id, "delegator_id": grant.delegator_id, "delegate_id": grant.delegate_id, "role": grant.role,
            "valid_from": grant.valid_from.isoformat(), "valid_to": grant.valid_to.isoformat(),
            "revoked": grant.revoked,
            "active": not grant.revoked and grant.valid_from <= day <= grant.valid_to}


def _in_force(day: dt.date) -> ColumnElement[bool]:
    return and_(ApprovalDelegation.revoked.is_(False), ApprovalDelegation.valid_from <= day,
                ApprovalDelegation.valid_to >= day)


def active_delegations(session: Session, actor: Actor, day: dt.date) -> list[ApprovalDelegation]:
    """Delegations in force on ``day`` that let ``actor`` act for someone."""
    stmt = select(ApprovalDelegation).where(ApprovalDelegation.tenant == actor.tenant,
                                            ApprovalDelegation.delegate_id == actor.user_id, _in_force(day))
    return list(session.scalars(stmt))


def circle_of(session: Session, actor: Actor, day: dt.date) -> frozenset[str]:
    """The actor and everyone joined to them by a delegation in force on ``day``, either way: one approver."""
    stmt = select(ApprovalDelegation.delegator_id, ApprovalDelegation.delegate_id).where(
        ApprovalDelegation.tenant == actor.tenant,
        or_(ApprovalDelegation.delegator_id == actor.user_id, ApprovalDelegation.delegate_id == actor.user_id),
        _in_force(day))
    return frozenset({actor.user_id, *(user for pair in session.execute(stmt) for user in pair)})
