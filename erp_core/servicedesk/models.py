"""Service desk tickets with their SLA due time, fixed when the ticket is opened."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base

PRIORITIES = ("urgent", "high", "medium", "low")
OPEN_STATUSES = ("open", "in_progress", "waiting")
DONE_STATUSES = ("resolved", "closed")
STATUSES = OPEN_STATUSES + DONE_STATUSES
# Resolution targets by priority (hours from opening); the SLA due time is opened_at + target.
SLA_HOURS = {"urgent": 8, "high": 24, "medium": 72, "low": 120}


class Ticket(Base):
    __tablename__ = "sd_tickets"
    __table_args__ = (
        UniqueConstraint("tenant", "number"),
        Index("ix_sd_tickets_tenant_status", "tenant", "status"),
        Index("ix_sd_tickets_tenant_account", "tenant", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    number: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("crm_accounts.id"), nullable=True)
    priority: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(40))
    assignee_user_id: Mapped[str | None] = mapped_column(String(160), nullable=True)
    opened_by: Mapped[str] = mapped_column(String(160))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sla_due_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
