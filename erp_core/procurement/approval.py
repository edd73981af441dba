"""The ``purchase_order`` document type: approved by amount (policy rules po-small / po-controller / po-cfo)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.approvals.registry import DocumentSnapshot
from erp_core.errors import ErrorCode, NexusError, not_found
from erp_core.hr.models import Employee
from erp_core.identity import Actor
from erp_core.money import fmt, from_minor
from erp_core.procurement.models import PurchaseOrder, PurchaseOrderLine


def _load(session: Session, tenant: str, document_id: str) -> PurchaseOrder:
    po = session.get(PurchaseOrder, int(document_id)) if document_id.isdigit() else None
    if po is None or po.tenant != tenant:
        raise not_found("purchase order", document_id)
    return po


def _manager_of(session: Session, tenant: str, user_id: str) -> str | None:
    employee = session.scalar(select(Employee).where(Employee.tenant == tenant, Employee.user_id == user_id))
    if employee is None or employee.manager_id is None:
        return None
    manager = session.get(Employee, employee.manager_id)
    return manager.user_id if manager is not None else None


class PurchaseOrderHandler:
    def load(self, session: Session, tenant: str, document_id: str) -> DocumentSnapshot:
        po = _load(session, tenant, document_id)
        lines = session.scalars(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id)
                                .order_by(PurchaseOrderLine.line_no))
        total = from_minor(po.total_minor, po.currency)
        payload = {"number": po.number, "vendor_code": po.vendor_code, "department_code": po.department_code,
                   "currency": po.currency, "total": fmt(total),
                   "lines": [{"description": ln.description, "account_code": ln.account_code,
                              "quantity": ln.quantity, "unit_price": fmt(from_minor(ln.unit_price_minor,
                                                                                     po.currency))} for ln in lines]}
        manager = _manager_of(session, tenant, po.requester_user_id)
        return DocumentSnapshot(document_id=str(po.id), payload=payload, preparer_id=po.requester_user_id,
                                amount=total, currency=po.currency,
                                related_users={"manager": manager} if manager else {},
                                summary=f"{po.number} to {po.vendor_code} for {po.department_code}: {fmt(total)} "
                                        f"{po.currency}")

    def on_submitted(self, session: Session, tenant: str, document_id: str, approval_id: str) -> None:
        po = _load(session, tenant, document_id)
        po.status, po.approval_id = "pending_approval", approval_id

    def on_approved(self, session: Session, tenant: str, document_id: str, actor: Actor,
                    approval_id: str | None) -> None:
        po = _load(session, tenant, document_id)
        if po.status not in ("draft", "pending_approval"):
            raise NexusError(ErrorCode.INVALID_STATE, f"purchase order {po.number} is already {po.status}")
        po.status, po.approved_at = "approved", dt.datetime.now(dt.UTC)

    def on_rejected(self, session: Session, tenant: str, document_id: str, actor: Actor, reason: str) -> None:
        po = _load(session, tenant, document_id)
        po.status = "rejected"
