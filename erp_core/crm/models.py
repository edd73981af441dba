"""CRM tables: accounts, contacts, opportunities, activities and proposed opportunity changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base

# Minor units can exceed 2**31 for large deals in currencies with many minor units.
Minor = BigInteger().with_variant(Integer(), "sqlite")

OPEN_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
CLOSED_STAGES = ("closed_won", "closed_lost")
STAGES = OPEN_STAGES + CLOSED_STAGES
# Default win probability per stage (%), used when a stage change does not name one.
STAGE_PROBABILITY = {"prospecting": 10, "qualification": 20, "proposal": 50, "negotiation": 75,
                     "closed_won": 100, "closed_lost": 0}
ACTIVITY_KINDS = ("call", "email", "meeting", "demo", "note")


class CrmAccount(Base):
    __tablename__ = "crm_accounts"
    __table_args__ = (UniqueConstraint("tenant", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    code: Mapped[str] = mapped_column(String(32))  # equals the AR customer code when the account is a customer
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(80))
    country: Mapped[str] = mapped_column(String(2))
    segment: Mapped[str] = mapped_column(String(24))  # enterprise, mid_market, smb
    owner_user_id: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Contact(Base):
    __tablename__ = "crm_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("crm_accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    email: Mapped[str] = mapped_column(String(160))
    title: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")


class Opportunity(Base):
    __tablename__ = "crm_opportunities"
    __table_args__ = (
        Index("ix_crm_opportunities_tenant_stage", "tenant", "stage"),
        Index("ix_crm_opportunities_tenant_owner", "tenant", "owner_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("crm_accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(24))
    amount_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
    close_date: Mapped[dt.date] = mapped_column(Date)
    probability: Mapped[int] = mapped_column(Integer)
    owner_user_id: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    stage_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Activity(Base):
    __tablename__ = "crm_activities"
    __table_args__ = (Index("ix_crm_activities_tenant_opportunity", "tenant", "opportunity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("crm_accounts.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("crm_opportunities.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[str] = mapped_column(String(160))


class OpportunityChange(Base):
    """A proposed update waiting for a sales manager (amount change > 25% or a win); applied on approval."""

    __tablename__ = "crm_opportunity_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("crm_opportunities.id"), index=True)
    changes: Mapped[str] = mapped_column(Text)  # canonical JSON of the new field values
    status: Mapped[str] = mapped_column(String(24))  # pending_approval, applied, rejected
    requested_by: Mapped[str] = mapped_column(String(160))
    approval_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
