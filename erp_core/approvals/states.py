"""The only state changes an approval request may make."""

from __future__ import annotations

from erp_core.approvals.models import ApprovalRequest, ApprovalStatus
from erp_core.errors import ErrorCode, NexusError

ALLOWED: dict[ApprovalStatus, frozenset[ApprovalStatus]] = {
    ApprovalStatus.PENDING: frozenset({ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.EXPIRED}),
    ApprovalStatus.APPROVED: frozenset(),
    ApprovalStatus.REJECTED: frozenset(),
    ApprovalStatus.EXPIRED: frozenset(),
}


def transition(request: ApprovalRequest, new: ApprovalStatus) -> None:
    """Move ``request`` to ``new`` or raise INVALID_STATE (409)."""
    current = ApprovalStatus(request.status)
    if new not in ALLOWED[current]:
        raise NexusError(ErrorCode.INVALID_STATE, f"approval {request.id} is {current.value}; it cannot become "
                                                  f"{new.value}")
    request.status = new.value
