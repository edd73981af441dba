"""Procurement tables: requisitions, purchase orders with lines, and goods receipts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base

Minor = BigInteger().with_variant(Integer(), "sqlite")


class Requisition(Base):
    """An employee's request to buy something; becomes a purchase order once a vendor is chosen."""

    __tablename__ = "proc_requisitions"
    __table_args__ = (UniqueConstraint("tenant", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[str] = mapped_column(String(20))
    requester_user_id: Mapped[str] = mapped_column(String(160))
    department_code: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(24))  # open, ordered, cancelled
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PurchaseOrder(Base):
    __tablename__ = "proc_purchase_orders"
    __table_args__ = (UniqueConstraint("tenant", "number"), Index("ix_proc_purchase_orders_status", "tenant",
                                                                  "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[str] = mapped_column(String(20))
    requisition_id: Mapped[int | None] = mapped_column(ForeignKey("proc_requisitions.id"), nullable=True)
    vendor_code: Mapped[str] = mapped_column(String(32))
    requester_user_id: Mapped[str] = mapped_column(String(160))
    department_code: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(Minor)
    # draft → pending_approval → approved → partially_received → received; or rejected / cancelled
    status: Mapped[str] = mapped_column(String(24))
    order_date: Mapped[dt.date] = mapped_column(Date)
    approval_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PurchaseOrderLine(Base):
    __tablename__ = "proc_purchase_order_lines"
    __table_args__ = (UniqueConstraint("po_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    po_id: Mapped[int] = mapped_column(ForeignKey("proc_purchase_orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(200))
    account_code: Mapped[str] = mapped_column(String(32))  # expense or inventory account the bill will debit
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(Minor)
    received_quantity: Mapped[int] = mapped_column(Integer, default=0)


class GoodsReceipt(Base):
    """Goods or services received against a PO; each receipt raises one vendor bill in AP."""

    __tablename__ = "proc_goods_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("proc_purchase_orders.id"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    received_by: Mapped[str] = mapped_column(String(160))
    amount_minor: Mapped[int] = mapped_column(Minor)
    bill_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
