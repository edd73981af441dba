"""The approval engine: submit, approve, reject, list, expire.

Every call runs in the caller's unit of work. ``approve`` locks the request row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite transactions start with ``BEGIN IMMEDIATE``), so concurrent approvals of one document serialise and
the final one runs the handler exactly once; the document's own constraints are the last line of defence.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.approvals.delegation import active_delegations, circle_of
from erp_core.approvals.eligibility import approvals_so_far, deciders, fully_approved, open_capacity, requirements_of
from erp_core.approvals.models import ApprovalDecision, ApprovalRequest, ApprovalStatus
from erp_core.approvals.policy import Requirement, load_rules, requirements_for
from erp_core.approvals.registry import handler_for
from erp_core.approvals.states import transition
from erp_core.audit import AuditEvent, append, payload_hash
from erp_core.errors import ErrorCode, NexusError, not_found
from erp_core.identity import Actor
from erp_core.tenancy import as_utc, utcnow

MAX_REASON_CHARS = 500
# Roles that may read any approval request of their tenant (besides its preparer and eligible approvers).
READ_ALL_ROLES = ("auditor",)


@dataclass(frozen=True)
class SubmissionResult:
    """``approval`` is None when no rule asked for an approver and the handler already carried the document out."""

    approval: ApprovalRequest | None
    requirements: list[Requirement]

    @property
    def auto_approved(self) -> bool:
        return self.approval is None


def _audit(session: Session, actor: Actor, action: str, request: ApprovalRequest, **data: object) -> None:
    facts = {"document_type": request.document_type, "document_id": request.document_id,
             "payload_hash": request.payload_hash, "status": request.status, **data}
    append(session, request.tenant, AuditEvent(actor.user_id, action, "approval", request.id, facts))


def submit_for_approval(document_type: str, document_id: str, actor: Actor, session: Session, *,
                        now: dt.datetime | None = None, require_confirmation: bool = False) -> SubmissionResult:
    """Evaluate the tenant's policy for a document and open an approval request, or approve it at once.

    ``require_confirmation`` (drafts the assistant wrote) adds the preparer's own confirmation to whatever the policy
    asks, so such a document never takes effect without a person looking at it, even below every threshold.

    Raises:
        NexusError: NOT_FOUND (unknown document), CONFLICT (already has a pending request), VALIDATION_FAILED (a rule
            names a person the document cannot resolve).
    """
    handler = handler_for(document_type)
    snapshot = handler.load(session, actor.tenant, document_id)
    requirements, expiry_days = requirements_for(load_rules(session, actor.tenant, document_type), snapshot)
    if require_confirmation:
        requirements.append(Requirement(key="preparer_confirmation", count=1, user_id=snapshot.preparer_id,
                                        rules=("assistant_draft",), confirmation=True))
    if not requirements:
        handler.on_approved(session, actor.tenant, document_id, actor, None)
        return SubmissionResult(None, [])
    pending = session.scalar(select(ApprovalRequest.id).where(
        ApprovalRequest.tenant == actor.tenant, ApprovalRequest.document_type == document_type,
        ApprovalRequest.document_id == document_id, ApprovalRequest.status == ApprovalStatus.PENDING.value))
    if pending is not None:
        raise NexusError(ErrorCode.CONFLICT, f"{document_type} {document_id} already awaits approval {pending}")
    created = now or utcnow()
    request = ApprovalRequest(
        tenant=actor.tenant, document_type=document_type, document_id=document_id,
        payload_hash=payload_hash(snapshot.payload), preparer_id=snapshot.preparer_id,
        amount=f"{snapshot.amount:f}" if snapshot.amount is not None else None, currency=snapshot.currency,
        requirements=json.dumps([r.model_dump(mode="json") for r in requirements]),
        status=ApprovalStatus.PENDING.value, summary=snapshot.summary[:500], created_at=created,
        expires_at=created + dt.timedelta(days=expiry_days))
    session.add(request)
    session.flush()
    handler.on_submitted(session, actor.tenant, document_id, request.id)
    _audit(session, actor, "approval.requested", request,
           requirements=[r.describe() for r in requirements], expires_at=request.expires_at.isoformat())
    return SubmissionResult(request, requirements)


def _locked_request(session: Session, approval_id: str, actor: Actor) -> ApprovalRequest:
    stmt = select(ApprovalRequest).where(ApprovalRequest.id == approval_id, ApprovalRequest.tenant == actor.tenant)
    request = session.scalars(stmt.with_for_update()).first()
    if request is None:
        raise not_found("approval", approval_id)
    return request


def _decisions(session: Session, request_id: str) -> list[ApprovalDecision]:
    stmt = select(ApprovalDecision).where(ApprovalDecision.request_id == request_id).order_by(ApprovalDecision.id)
    return list(session.scalars(stmt))


def _check_decidable(request: ApprovalRequest, actor: Actor, now: dt.datetime, decisions: list[ApprovalDecision],
                     circle: frozenset[str]) -> None:
    """Refuse a decision on a closed or expired request, by the preparer (or someone sharing the preparer's place
    through a delegation), or by someone whose circle, the actor and whoever they are joined to by a delegation in
    force, already decided: a delegator and her delegates count as one approver."""
    if request.status != ApprovalStatus.PENDING.value:
        raise NexusError(ErrorCode.INVALID_STATE, f"approval {request.id} is already {request.status}")
    if as_utc(request.expires_at) <= now:
        raise NexusError(ErrorCode.INVALID_STATE, f"approval {request.id} expired at {request.expires_at:%Y-%m-%d}")
    if actor.user_id == request.preparer_id and not any(r.confirmation for r in requirements_of(request)):
        raise NexusError(ErrorCode.SEGREGATION_OF_DUTIES,
                         "segregation of duties: the preparer cannot decide on their own document")
    if actor.user_id != request.preparer_id and request.preparer_id in circle:
        raise NexusError(ErrorCode.SEGREGATION_OF_DUTIES,
                         f"segregation of duties: a delegation joins you and the preparer {request.preparer_id}, "
                         "so you count as the preparer of this document")
    if any(d.approver_id == actor.user_id for d in decisions):
        raise NexusError(ErrorCode.CONFLICT, f"{actor.user_id} has already decided on approval {request.id}")
    shared = sorted(circle & deciders(decisions))
    if shared:
        raise NexusError(ErrorCode.CONFLICT, f"{', '.join(shared)} already decided on approval {request.id}; a "
                                             "delegator and her delegates count as one approver")


def _authority(actor: Actor, on_behalf_of: str | None) -> dict[str, str]:
    """Audit facts naming who acted and whose authority the decision used."""
    return {"acting_user": actor.user_id, "authority": on_behalf_of or actor.user_id}


def approve(approval_id: str, payload_hash_: str, actor: Actor, session: Session, *,
            now: dt.datetime | None = None) -> ApprovalRequest:
    """Record ``actor``'s approval of the document whose canonical payload hashes to ``payload_hash_``.

    The last required approval runs the handler's final action (for journal entries: posting) in this transaction.

    Raises:
        NexusError: NOT_FOUND, INVALID_STATE (decided or expired), SEGREGATION_OF_DUTIES (preparer), FORBIDDEN (not an
            approver of any open requirement), STALE_PAYLOAD_HASH (hash differs from the document's), CONFLICT
            (already voted).
    """
    moment = now or utcnow()
    request = _locked_request(session, approval_id, actor)
    decisions = _decisions(session, request.id)
    _check_decidable(request, actor, moment, decisions, circle_of(session, actor, moment.date()))
    capacity, could_any = open_capacity(request, decisions, actor,
                                        active_delegations(session, actor, moment.date()))
    if capacity is None:
        if could_any:
            raise NexusError(ErrorCode.INVALID_STATE, "the requirements you can fill already have their approvals")
        raise NexusError(ErrorCode.FORBIDDEN, f"{actor.user_id} is not an approver of approval {request.id}")
    handler = handler_for(request.document_type)
    current = payload_hash(handler.load(session, actor.tenant, request.document_id).payload)
    if payload_hash_ != request.payload_hash or current != request.payload_hash:
        raise NexusError(ErrorCode.STALE_PAYLOAD_HASH, "the document changed since it was submitted: the payload "
                                                       "hash does not match; review it again")
    decision = ApprovalDecision(request_id=request.id, tenant=request.tenant, requirement=capacity.requirement.key,
                                approver_id=actor.user_id, on_behalf_of=capacity.on_behalf_of, decision="approve",
                                payload_hash=payload_hash_, decided_at=moment)
    session.add(decision)
    session.flush()
    decisions.append(decision)
    _audit(session, actor, "approval.approved", request, requirement=capacity.requirement.describe(),
           on_behalf_of=capacity.on_behalf_of, **_authority(actor, capacity.on_behalf_of))
    if fully_approved(request, decisions):
        transition(request, ApprovalStatus.APPROVED)
        request.decided_at = moment
        _audit(session, actor, "approval.completed", request)
        handler.on_approved(session, actor.tenant, request.document_id, actor, request.id)
    return request


def reject(approval_id: str, reason: str, actor: Actor, session: Session, *,
           now: dt.datetime | None = None) -> ApprovalRequest:
    """Reject a pending request; any user who could approve it may (never the preparer)."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"a rejection needs a reason of 1-{MAX_REASON_CHARS} characters")
    moment = now or utcnow()
    request = _locked_request(session, approval_id, actor)
    decisions = _decisions(session, request.id)
    _check_decidable(request, actor, moment, decisions, circle_of(session, actor, moment.date()))
    capacity, could_any = open_capacity(request, decisions, actor, active_delegations(session, actor, moment.date()))
    if not could_any:
        raise NexusError(ErrorCode.FORBIDDEN, f"{actor.user_id} is not an approver of approval {request.id}")
    session.add(ApprovalDecision(request_id=request.id, tenant=request.tenant,
                                 requirement=capacity.requirement.key if capacity else "-",
                                 approver_id=actor.user_id, on_behalf_of=capacity.on_behalf_of if capacity else None,
                                 decision="reject", payload_hash=request.payload_hash, reason=reason,
                                 decided_at=moment))
    transition(request, ApprovalStatus.REJECTED)
    request.decided_at, request.reason = moment, reason
    _audit(session, actor, "approval.rejected", request, reason=reason,
           on_behalf_of=capacity.on_behalf_of if capacity else None,
           **_authority(actor, capacity.on_behalf_of if capacity else None))
    handler_for(request.document_type).on_rejected(session, actor.tenant, request.document_id, actor, reason)
    return request


def list_pending_for(actor: Actor, session: Session, *, now: dt.datetime | None = None) -> list[ApprovalRequest]:
    """Pending, unexpired requests of the actor's tenant that the actor may approve now (oldest first).

    The preparer appears only where a request waits for their own confirmation (assistant drafts); eligibility, not
    this query, decides that.
    """
    moment = now or utcnow()
    stmt = select(ApprovalRequest).where(ApprovalRequest.tenant == actor.tenant,
                                         ApprovalRequest.status == ApprovalStatus.PENDING.value,
                                         ApprovalRequest.expires_at > moment).order_by(ApprovalRequest.created_at)
    delegations = active_delegations(session, actor, moment.date())
    circle = circle_of(session, actor, moment.date())
    result = []
    for request in session.scalars(stmt):
        decisions = _decisions(session, request.id)
        if circle & deciders(decisions):
            continue
        if actor.user_id != request.preparer_id and request.preparer_id in circle:
            continue
        capacity, _ = open_capacity(request, decisions, actor, delegations)
        if capacity is not None:
            result.append(request)
    return result


def may_read(request: ApprovalRequest, actor: Actor, session: Session, *, now: dt.datetime | None = None) -> bool:
    """The preparer, whoever decided or could decide some requirement (in person or as a delegate), and auditors."""
    if actor.user_id == request.preparer_id or actor.has_role(*READ_ALL_ROLES):
        return True
    decisions = _decisions(session, request.id)
    if actor.user_id in deciders(decisions):
        return True
    day = (now or utcnow()).date()
    _capacity, could_any = open_capacity(request, [], actor, active_delegations(session, actor, day))
    return could_any


def get_approval(approval_id: str, actor: Actor, session: Session) -> ApprovalRequest:
    """One request of the actor's tenant that the actor may read (``may_read``); any other id is NOT_FOUND, so a
    colleague's leave request or entry cannot be read by guessing its id."""
    request = session.scalars(select(ApprovalRequest).where(ApprovalRequest.id == approval_id,
                                                            ApprovalRequest.tenant == actor.tenant)).first()
    if request is None or not may_read(request, actor, session):
        raise not_found("approval", approval_id)
    return request


def expire_overdue(session: Session, actor: Actor, *, now: dt.datetime | None = None) -> int:
    """Expire the tenant's overdue pending requests (their documents are closed as rejected); returns how many."""
    moment = now or utcnow()
    stmt = select(ApprovalRequest).where(ApprovalRequest.tenant == actor.tenant,
                                         ApprovalRequest.status == ApprovalStatus.PENDING.value,
                                         ApprovalRequest.expires_at <= moment).with_for_update()
    expired = list(session.scalars(stmt))
    for request in expired:
        transition(request, ApprovalStatus.EXPIRED)
        request.decided_at, request.reason = moment, "approval expired"
        _audit(session, actor, "approval.expired", request)
        handler_for(request.document_type).on_rejected(session, actor.tenant, request.document_id, actor,
                                                        "approval expired")
    return len(expired)


def approval_view(request: ApprovalRequest, session: Session) -> dict[str, object]:
    """The JSON form of a request for APIs and tools."""
    decisions = _decisions(session, request.id)
    done = approvals_so_far(decisions)
    return {
        "id": request.id, "document_type": request.document_type, "document_id": request.document_id,
        "status": request.status, "payload_hash": request.payload_hash, "amount": request.amount,
        "currency": request.currency, "preparer_id": request.preparer_id, "summary": request.summary,
        "requirements": [{"role": r.role, "user_id": r.user_id, "count": r.count, "approvals": done[r.key],
                          "rules": list(r.rules)} for r in requirements_of(request)],
        "decisions": [{"approver_id": d.approver_id, "on_behalf_of": d.on_behalf_of, "decision": d.decision,
                       "reason": d.reason, "decided_at": as_utc(d.decided_at).isoformat()} for d in decisions],
        "created_at": as_utc(request.created_at).isoformat(), "expires_at": as_utc(request.expires_at).isoformat(),
        "decided_at": as_utc(request.decided_at).isoformat() if request.decided_at else None,
        "reason": request.reason,
    }
