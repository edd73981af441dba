"""AP/AR subledger tables: vendors and bills, customers and invoices, payments.

Amounts are integer minor units. Each document points at the journal entry carrying its GL effect; the subledger
counts a document only once that entry is posted, so AP/AR always equal their control accounts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base
from erp_core.tenancy import new_id, utcnow


class Vendor(Base):
    __tablename__ = "ap_vendors"
    __table_args__ = (UniqueConstraint("tenant", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=45)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Customer(Base):
    __tablename__ = "ar_customers"
    __table_args__ = (UniqueConstraint("tenant", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Bill(Base):
    __tablename__ = "ap_bills"
    __table_args__ = (UniqueConstraint("tenant", "vendor_id", "number"), Index("ix_ap_bills_due", "tenant", "due_date"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(64))
    vendor_id: Mapped[int] = mapped_column(ForeignKey("ap_vendors.id"))
    number: Mapped[str] = mapped_column(String(64))
    doc_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(String(500))
    journal_entry_id: Mapped[str] = mapped_column(ForeignKey("gl_journal_entries.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Invoice(Base):
    __tablename__ = "ar_invoices"
    __table_args__ = (UniqueConstraint("tenant", "number"), Index("ix_ar_invoices_due", "tenant", "due_date"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int] = mapped_column(ForeignKey("ar_customers.id"))
    number: Mapped[str] = mapped_column(String(64))
    doc_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(String(500))
    journal_entry_id: Mapped[str] = mapped_column(ForeignKey("gl_journal_entries.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Payment(Base):
    """Money out against a bill (``kind`` "bill") or in against an invoice (``kind`` "invoice")."""

    __tablename__ = "apar_payments"
    __table_args__ = (UniqueConstraint("tenant", "idempotency_key"),
                      Index("ix_apar_payments_document", "tenant", "kind", "document_id"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[str] = mapped_column(String(32))
    payment_date: Mapped[dt.date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    journal_entry_id: Mapped[str] = mapped_column(ForeignKey("gl_journal_entries.id"))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
