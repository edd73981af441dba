"""Approvals HTTP API: what the caller may approve, approve (bound to a payload hash), reject, delegate.

A request is readable by its preparer, its eligible approvers (in person or as a delegate) and auditors; to anyone
else its id is unknown (404). Delegations are listed and revoked under ``/v1/approvals/delegations``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from erp_core import approvals
from erp_core.approvals import DelegateApprovals
from erp_core.ledger import handler as _journal_handler  # noqa: F401  (journal entries are approvable)
from server.deps import ActorDep, ContainerDep

router = APIRouter(prefix="/v1/approvals", tags=["approvals"])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not an approver, or the preparer (segregation of duties)"},
    404: {"description": "Unknown approval, another tenant's, or one the caller may not read"},
    409: {"description": "Already decided, expired, or the payload hash is stale"},
    422: {"description": "Invalid request body"},
}


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload_hash: str = Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$",
                              description="SHA-256 of the document's canonical payload the approver reviewed.")


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, description="Why the document is rejected.")


@router.get("", responses=ERRORS, summary="Pending approvals the caller may decide now")
def list_approvals(actor: ActorDep, container: ContainerDep,
                   status: Literal["pending"] = "pending") -> list[dict[str, Any]]:
    del status  # only the caller's open work is listed; decided requests are read by id
    with container.db.read() as session:
        return [approvals.approval_view(r, session) for r in approvals.list_pending_for(actor, session)]


@router.get("/delegations", responses=ERRORS, summary="Delegations I gave or received")
def list_delegations(actor: ActorDep, container: ContainerDep) -> list[dict[str, Any]]:
    with container.db.read() as session:
        return [approvals.delegation_view(grant) for grant in approvals.list_delegations(actor, session)]


@router.delete("/delegations/{delegation_id}", responses=ERRORS, summary="Revoke a delegation I gave")
def revoke_delegation(delegation_id: Annotated[int, Path(ge=1, le=2**31 - 1)], actor: ActorDep,
                      container: ContainerDep) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        return approvals.delegation_view(approvals.revoke_delegation(delegation_id, actor, session))


@router.get("/{approval_id}", responses=ERRORS, summary="One approval request")
def get_approval(approval_id: str, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    with container.db.read() as session:
        return approvals.approval_view(approvals.get_approval(approval_id, actor, session), session)


@router.post("/{approval_id}/approve", responses=ERRORS, summary="Approve the document with this payload hash")
def approve(approval_id: str, body: ApproveBody, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        request = approvals.approve(approval_id, body.payload_hash, actor, session)
        return approvals.approval_view(request, session)


@router.post("/{approval_id}/reject", responses=ERRORS, summary="Reject the document")
def reject(approval_id: str, body: RejectBody, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        request = approvals.reject(approval_id, body.reason, actor, session)
        return approvals.approval_view(request, session)


@router.post("/delegations", status_code=201, responses=ERRORS, summary="Delegate my approvals for a date range")
def delegate(body: DelegateApprovals, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        return approvals.delegation_view(approvals.delegate_approvals(body, actor, session))
