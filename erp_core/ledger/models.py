"""Ledger tables: chart of accounts, fiscal periods, exchange rates, journal entries and their posted lines.

A journal entry keeps its proposed lines in ``payload`` (the canonical document its approvals are bound to); only
posting writes ``journal_lines``, which are immutable and are what every report reads.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base
from erp_core.outbox import BigId
from erp_core.tenancy import new_id, utcnow


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        """Assets and expenses grow with debits; the other types grow with credits."""
        return self in (AccountType.ASSET, AccountType.EXPENSE)


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class EntryStatus(StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    POSTED = "posted"
    REJECTED = "rejected"


class Account(Base):
    __tablename__ = "gl_accounts"
    __table_args__ = (UniqueConstraint("tenant", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("gl_accounts.id"), nullable=True)
    postable: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def account_type(self) -> AccountType:
        return AccountType(self.type)


class FiscalPeriod(Base):
    __tablename__ = "gl_periods"
    __table_args__ = (
        UniqueConstraint("tenant", "year", "month"),
        CheckConstraint("month >= 1 AND month <= 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=PeriodStatus.OPEN.value)
    changed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ExchangeRate(Base):
    """Units of the tenant's functional currency per unit of ``currency``, valid from ``rate_date``."""

    __tablename__ = "gl_exchange_rates"
    __table_args__ = (UniqueConstraint("tenant", "currency", "rate_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    rate_date: Mapped[date] = mapped_column(Date)
    rate: Mapped[str] = mapped_column(String(40))  # a Decimal string: exact, and the same on every database


class JournalEntry(Base):
    __tablename__ = "gl_journal_entries"
    __table_args__ = (
        UniqueConstraint("tenant", "idempotency_key"),
        Index("ix_gl_journal_entries_status", "tenant", "status"),
        Index("ix_gl_journal_entries_reverses", "reverses_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    entry_date: Mapped[date] = mapped_column(Date)
    memo: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(24), default=EntryStatus.DRAFT.value)
    payload: Mapped[str] = mapped_column(Text)
    payload_hash: Mapped[str] = mapped_column(String(64))
    # Total debits in the functional currency: what approval thresholds compare against.
    functional_amount_minor: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(32), default="api")
    reverses_id: Mapped[str | None] = mapped_column(ForeignKey("gl_journal_entries.id"), nullable=True)
    anomaly_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    anomaly_reasons: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of strings
    approval_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    posted_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rejected_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class JournalLine(Base):
    """A posted ledger line: written once, at posting, never updated.

    Tenant and date are copied from the entry so reports aggregate this one table; the covering index lets the trial
    balance run as an index-only scan.
    """

    __tablename__ = "gl_journal_lines"
    __table_args__ = (
        UniqueConstraint("entry_id", "line_no"),
        CheckConstraint("debit_minor >= 0 AND credit_minor >= 0", name="non_negative"),
        CheckConstraint("(debit_minor = 0) <> (credit_minor = 0)", name="one_side"),
        Index("ix_gl_journal_lines_balance", "tenant", "account_id", "currency", "entry_date", "debit_minor",
              "credit_minor"),
        Index("ix_gl_journal_lines_date", "tenant", "entry_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[str] = mapped_column(ForeignKey("gl_journal_entries.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(ForeignKey("gl_accounts.id"))
    currency: Mapped[str] = mapped_column(String(3))
    debit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_date: Mapped[date] = mapped_column(Date)
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cost_center: Mapped[str | None] = mapped_column(String(64), nullable=True)
    project: Mapped[str | None] = mapped_column(String(64), nullable=True)
