"""Bookkeeping of the demo seed: which tenants were seeded how, and which entries are planted anomalies."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base


class SeedRun(Base):
    __tablename__ = "seed_runs"
    __table_args__ = (UniqueConstraint("tenant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    size: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[dt.date] = mapped_column(Date)
    entries: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PlantedAnomaly(Base):
    __tablename__ = "seed_planted_anomalies"
    __table_args__ = (UniqueConstraint("tenant", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    entry_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    entry_date: Mapped[dt.date] = mapped_column(Date)
