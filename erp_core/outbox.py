"""Transactional outbox: domain events written in the same transaction as the change they announce.

A relay (Kafka in production) reads unpublished rows in id order and marks them published; because the event row
commits or rolls back with the ledger rows, subscribers never see an event for a posting that did not happen, and never
miss one.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from erp_core.db import Base
from erp_core.tenancy import utcnow

# BigInteger ids on PostgreSQL, but SQLite only auto-increments a column declared exactly INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    # One event of a kind per aggregate: a second "entry posted" for the same entry is a bug the database refuses.
    __table_args__ = (UniqueConstraint("tenant", "event_type", "aggregate_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    aggregate_type: Mapped[str] = mapped_column(String(64))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.payload)
        return data


def event_row(tenant: str, event_type: str, aggregate_type: str, aggregate_id: str,
              payload: dict[str, Any] | str, created_at: datetime | None = None) -> dict[str, Any]:
    """Column values of one event (for bulk inserts); ``payload`` may already be JSON text."""
    text = payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True, default=str)
    return {"tenant": tenant, "event_type": event_type, "aggregate_type": aggregate_type,
            "aggregate_id": aggregate_id, "payload": text, "created_at": created_at or utcnow(), "published_at": None}


def add_event(session: Session, tenant: str, event_type: str, aggregate_type: str, aggregate_id: str,
              payload: dict[str, Any]) -> OutboxEvent:
    """Record an event in the caller's transaction."""
    event = OutboxEvent(**event_row(tenant, event_type, aggregate_type, aggregate_id, payload))
    session.add(event)
    return event


def fetch_unpublished(session: Session, limit: int = 100) -> list[OutboxEvent]:
    """Oldest unpublished events first (the relay's read)."""
    stmt = select(OutboxEvent).where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
    return list(session.scalars(stmt))


def mark_published(session: Session, event_ids: list[int]) -> None:
    if event_ids:
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(event_ids)).values(published_at=utcnow()))
