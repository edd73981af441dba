"""Procurement: requisition → purchase order (approved by amount through the approval engine) → goods receipt →
vendor bill in AP (through ``erp_core.apar.record_bill``, so the GL effect is an ordinary, policy-checked entry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.apar.commands import RecordDocument
from erp_core.apar.models import Vendor
from erp_core.apar.services import record_bill
from erp_core.approvals import PURCHASE_ORDER, submit_for_approval
from erp_core.directory import resolve_department
from erp_core.errors import ErrorCode, Issue, NexusError, not_found, validation_error
from erp_core.identity import Actor
from erp_core.ledger.models import Account
from erp_core.money import MoneyError, fmt, from_minor, parse_amount, to_minor
from erp_core.procurement.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine, Requisition
from erp_core.tenancy import functional_currency

MAX_LINES = 100


class PoLineIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    description: str = Field(min_length=1, max_length=200, description="What is bought.")
    account_code: str = Field(min_length=1, max_length=32, description="Expense or inventory account to debit.")
    quantity: int = Field(ge=1, le=1_000_000, description="Units ordered.")
    unit_price: str = Field(description="Price per unit as a decimal string.")


class RaisePurchaseOrder(BaseModel):
    """Turn a purchase need into a purchase order for a vendor and submit it for approval (by amount)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vendor_code: str = Field(min_length=1, max_length=32, description="AP vendor code, e.g. V0003.")
    department_code: str = Field(min_length=1, max_length=16, description="Department that needs it.")
    description: str = Field(min_length=3, max_length=500, description="Why it is needed.")
    lines: list[PoLineIn] = Field(min_length=1, max_length=MAX_LINES, description="Order lines.")


class ReceiveGoods(BaseModel):
    """Record goods or services received against an approved PO; raises the vendor bill in AP."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    po_id: int = Field(description="Purchase order id.")
    received_on: dt.date = Field(description="Receipt date; the bill is dated the same day.")
    quantities: dict[int, int] = Field(description="Received quantity per PO line number.")
    vendor_invoice_number: str = Field(min_length=1, max_length=64, description="The vendor's invoice number.")


class PurchaseOrderView(BaseModel):
    id: int
    number: str
    vendor_code: str
    department_code: str
    status: str
    total: str
    currency: str
    approval_id: str | None
    lines: list[dict[str, Any]]


def _view(session: Session, po: PurchaseOrder) -> PurchaseOrderView:
    lines = session.scalars(select(PurchaseOrderLine).where(PurchaseOrderLine.po_id == po.id)
                            .order_by(PurchaseOrderLine.line_no))
    return PurchaseOrderView(
        id=po.id, number=po.number, vendor_code=po.vendor_code, department_code=po.department_code, status=po.status,
        total=fmt(from_minor(po.total_minor, po.currency)), currency=po.currency, approval_id=po.approval_id,
        lines=[{"line_no": ln.line_no, "description": ln.description, "account_code": ln.account_code,
                "quantity": ln.quantity, "received_quantity": ln.received_quantity,
                "unit_price": fmt(from_minor(ln.unit_price_minor, po.currency))} for ln in lines])


def load_po(session: Session, tenant: str, po_id: int, *, lock: bool = False) -> PurchaseOrder:
    stmt = select(PurchaseOrder).where(PurchaseOrder.id == po_id, PurchaseOrder.tenant == tenant)
    po = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if po is None:
        raise not_found("purchase order", po_id)
    return po


def raise_purchase_order(cmd: RaisePurchaseOrder, actor: Actor, session: Session, *,
                         require_human_approval: bool = False) -> PurchaseOrderView:
    """Any employee may request; the policy routes by total: < 5,000 the requester's manager, < 50,000 a controller,
    otherwise the CFO. The requester never approves their own order. ``require_human_approval`` (orders the assistant
    drafted) adds the requester's own confirmation to whatever the policy asks."""
    currency = functional_currency(session, actor.tenant)
    issues: list[Issue] = []
    vendor = session.scalar(select(Vendor).where(Vendor.tenant == actor.tenant, Vendor.code == cmd.vendor_code))
    if vendor is None:
        issues.append(Issue("unknown_vendor", f"vendor {cmd.vendor_code} does not exist", "vendor_code"))
    department = resolve_department(session, actor.tenant, cmd.department_code)
    postable = set(session.scalars(select(Account.code).where(Account.tenant == actor.tenant,
                                                              Account.postable.is_(True), Account.active.is_(True))))
    prices: list[int] = []
    for i, line in enumerate(cmd.lines):
        if line.account_code not in postable:
            issues.append(Issue("unknown_account", f"{line.account_code} is not an active postable account",
                                f"lines[{i}].account_code"))
        try:
            price = to_minor(parse_amount(line.unit_price, currency), currency)
            if price <= 0:
                raise MoneyError("unit price must be positive")
            prices.append(price)
        except MoneyError as err:
            issues.append(Issue("invalid_amount", str(err), f"lines[{i}].unit_price"))
    if issues:
        raise validation_error(issues)
    count = session.scalar(select(func.count(PurchaseOrder.id)).where(PurchaseOrder.tenant == actor.tenant)) or 0
    now = dt.datetime.now(dt.UTC)
    requisition = Requisition(tenant=actor.tenant, number=f"REQ-{count + 1:06d}", requester_user_id=actor.user_id,
                              department_code=department.code, description=cmd.description, status="ordered",
                              created_at=now)
    session.add(requisition)
    session.flush()
    po = PurchaseOrder(tenant=actor.tenant, number=f"PO-{count + 1:06d}", requisition_id=requisition.id,
                       vendor_code=cmd.vendor_code, requester_user_id=actor.user_id,
                       department_code=department.code, currency=currency,
                       total_minor=sum(p * line.quantity for p, line in zip(prices, cmd.lines, strict=True)),
                       status="draft", order_date=now.date(), created_by=actor.user_id, created_at=now)
    session.add(po)
    session.flush()
    session.add_all(PurchaseOrderLine(tenant=actor.tenant, po_id=po.id, line_no=i + 1, description=line.description,
                                      account_code=line.account_code, quantity=line.quantity,
                                      unit_price_minor=price, received_quantity=0)
                    for i, (line, price) in enumerate(zip(cmd.lines, prices, strict=True)))
    session.flush()
    submit_for_approval(PURCHASE_ORDER, str(po.id), actor, session, require_confirmation=require_human_approval)
    return _view(session, po)


def receive_goods(cmd: ReceiveGoods, actor: Actor, session: Session) -> dict[str, Any]:
    """Record a receipt and raise the vendor bill for the received value (one bill line per account)."""
    po = load_po(session, actor.tenant, cmd.po_id, lock=True)
    if po.status not in ("approved", "partially_received"):
        raise NexusError(ErrorCode.INVALID_STATE, f"purchase order {po.number} is {po.status}; only approved orders "
                                                  "can be received")
    lines = {ln.line_no: ln for ln in session.scalars(select(PurchaseOrderLine).where(
        PurchaseOrderLine.po_id == po.id))}
    issues: list[Issue] = []
    for line_no, qty in cmd.quantities.items():
        line = lines.get(line_no)
        if line is None:
            issues.append(Issue("unknown_line", f"line {line_no} is not on {po.number}", f"quantities.{line_no}"))
        elif qty <= 0 or line.received_quantity + qty > line.quantity:
            issues.append(Issue("bad_quantity", f"line {line_no}: {qty} would exceed the {line.quantity} ordered "
                                f"({line.received_quantity} already received)", f"quantities.{line_no}"))
    if not cmd.quantities:
        issues.append(Issue("nothing_received", "name at least one line and quantity", "quantities"))
    if issues:
        raise validation_error(issues)
    by_account: dict[str, int] = {}
    for line_no, qty in cmd.quantities.items():
        line = lines[line_no]
        line.received_quantity += qty
        by_account[line.account_code] = by_account.get(line.account_code, 0) + qty * line.unit_price_minor
    total = sum(by_account.values())
    receipt = GoodsReceipt(tenant=actor.tenant, po_id=po.id, received_on=cmd.received_on, received_by=actor.user_id,
                           amount_minor=total, created_at=dt.datetime.now(dt.UTC))
    session.add(receipt)
    bills = []
    for n, (account, minor) in enumerate(sorted(by_account.items()), start=1):
        suffix = f"-{n}" if len(by_account) > 1 else ""
        recorded = record_bill(RecordDocument(
            party_code=po.vendor_code, number=f"{cmd.vendor_invoice_number}{suffix}", doc_date=cmd.received_on,
            amount=from_minor(minor, po.currency), account_code=account, memo=f"{po.number}: {po.department_code} "
            f"receipt {cmd.received_on.isoformat()}", dimensions={"department": po.department_code}), actor, session)
        bills.append({"bill_id": recorded.document.id, "journal_entry_id": recorded.journal.entry.id,
                      "status": recorded.journal.entry.status, "amount": fmt(from_minor(minor, po.currency))})
    receipt.bill_id = bills[0]["bill_id"] if bills else None
    done = all(ln.received_quantity == ln.quantity for ln in lines.values())
    po.status = "received" if done else "partially_received"
    session.flush()
    return {"purchase_order": _view(session, po).model_dump(mode="json"), "receipt_id": receipt.id, "bills": bills}
