"""The ``leave_request`` document type: the employee's manager approves (policy rule ``leave-manager``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from erp_core.approvals.registry import DocumentSnapshot
from erp_core.errors import ErrorCode, NexusError, not_found
from erp_core.hr.models import Employee, LeaveRequest
from erp_core.identity import Actor


def _load_request(session: Session, tenant: str, document_id: str) -> LeaveRequest:
    request = session.get(LeaveRequest, int(document_id)) if document_id.isdigit() else None
    if request is None or request.tenant != tenant:
        raise not_found("leave request", document_id)
    return request


def _decide(session: Session, tenant: str, document_id: str, status: str) -> None:
    request = _load_request(session, tenant, document_id)
    if request.status not in ("draft", "pending_approval"):
        raise NexusError(ErrorCode.INVALID_STATE, f"leave request {request.id} is already {request.status}")
    request.status = status
    request.decided_at = dt.datetime.now(dt.UTC)


class LeaveRequestHandler:
    def load(self, session: Session, tenant: str, document_id: str) -> DocumentSnapshot:
        request = _load_request(session, tenant, document_id)
        employee = session.get(Employee, request.employee_id)
        assert employee is not None  # foreign key
        manager = session.get(Employee, employee.manager_id) if employee.manager_id else None
        related = {"manager": manager.user_id} if manager is not None and manager.user_id else {}
        payload = {"employee_no": employee.employee_no, "employee": employee.full_name,
                   "leave_type": request.leave_type, "start_date": request.start_date.isoformat(),
                   "end_date": request.end_date.isoformat(), "days": request.days, "reason": request.reason}
        summary = (f"{request.leave_type.capitalize()} leave for {employee.full_name}: "
                   f"{request.start_date.isoformat()} to {request.end_date.isoformat()} ({request.days} days)")
        return DocumentSnapshot(document_id=str(request.id), payload=payload, preparer_id=request.requested_by,
                                related_users=related, summary=summary)

    def on_submitted(self, session: Session, tenant: str, document_id: str, approval_id: str) -> None:
        request = _load_request(session, tenant, document_id)
        request.status = "pending_approval"
        request.approval_id = approval_id

    def on_approved(self, session: Session, tenant: str, document_id: str, actor: Actor,
                    approval_id: str | None) -> None:
        _decide(session, tenant, document_id, "approved")

    def on_rejected(self, session: Session, tenant: str, document_id: str, actor: Actor, reason: str) -> None:
        _decide(session, tenant, document_id, "rejected")
