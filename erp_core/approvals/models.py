"""Approval tables: policies (data), requests bound to a payload hash, decisions and delegations."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base
from erp_core.tenancy import new_id, utcnow


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class ApprovalPolicy(Base):
    """One rule of a tenant's approval policy. Every matching rule adds its approvers; none matching: no approval."""

    __tablename__ = "approval_policies"
    __table_args__ = (UniqueConstraint("tenant", "name"), Index("ix_approval_policies_doc", "tenant", "document_type"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    document_type: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(500), default="")
    # Decimal strings in the tenant's functional currency; min inclusive, max exclusive.
    min_amount: Mapped[str | None] = mapped_column(String(40), nullable=True)
    max_amount: Mapped[str | None] = mapped_column(String(40), nullable=True)
    account_classes: Mapped[str] = mapped_column(Text, default="[]")  # JSON list; empty = any
    match_flags: Mapped[str] = mapped_column(Text, default="[]")  # JSON list; empty = any
    min_anomaly_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    required_role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approver_user_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    approver_relation: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approver_count: Mapped[int] = mapped_column(Integer, default=1)
    expires_after_days: Mapped[int] = mapped_column(Integer, default=14)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApprovalRequest(Base):
    __tablename__ = "approval_requests"
    __table_args__ = (Index("ix_approval_requests_doc", "tenant", "document_type", "document_id"),
                      Index("ix_approval_requests_status", "tenant", "status"))

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(64))
    document_type: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[str] = mapped_column(String(64))
    payload_hash: Mapped[str] = mapped_column(String(64))
    amount: Mapped[str | None] = mapped_column(String(40), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    preparer_id: Mapped[str] = mapped_column(String(200))
    requirements: Mapped[str] = mapped_column(Text)  # JSON list of requirement dicts
    status: Mapped[str] = mapped_column(String(16), default=ApprovalStatus.PENDING.value)
    summary: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)


class ApprovalDecision(Base):
    __tablename__ = "approval_decisions"
    # One vote per person per request: "two approvers" means two different people.
    __table_args__ = (UniqueConstraint("request_id", "approver_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("approval_requests.id"))
    tenant: Mapped[str] = mapped_column(String(64))
    requirement: Mapped[str] = mapped_column(String(64))
    approver_id: Mapped[str] = mapped_column(String(200))
    on_behalf_of: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision: Mapped[str] = mapped_column(String(16))
    payload_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApprovalDelegation(Base):
    """``delegate_id`` may act for ``delegator_id`` from ``valid_from`` to ``valid_to`` (inclusive)."""

    __tablename__ = "approval_delegations"
    __table_args__ = (Index("ix_approval_delegations_delegate", "tenant", "delegate_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    delegator_id: Mapped[str] = mapped_column(String(200))
    delegate_id: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
