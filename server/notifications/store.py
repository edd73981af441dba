"""Notification jobs in SQL: the durable queue between "an approval waits for someone" and "they were told".

A job is marked delivered only after its channel succeeded; a failure records the error and schedules a retry with
exponential backoff, so nothing is lost while a channel (Slack) is down. Workers in several processes may poll the
same table: a job is *claimed* by moving its ``next_attempt_at`` forward in one conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from erp_core.tenancy import as_utc, utcnow
from server.interface_base import InterfaceBase

CLAIM_LEASE = dt.timedelta(seconds=60)


class NotificationJob(InterfaceBase):
    __tablename__ = "nexus_notification_jobs"
    __table_args__ = (UniqueConstraint("tenant", "approval_id", "recipient", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    approval_id: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.payload)
        return data


class NotifiedApproval(InterfaceBase):
    """Approvals whose jobs were enqueued: the feed's cursor (a primary key, so two workers cannot both enqueue)."""

    __tablename__ = "nexus_notified_approvals"

    approval_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    enqueued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def enqueue(session: Session, tenant: str, approval_id: str, recipient: str, channel: str,
            payload: dict[str, Any]) -> NotificationJob:
    job = NotificationJob(tenant=tenant, approval_id=approval_id, recipient=recipient, channel=channel,
                          payload=json.dumps(payload, sort_keys=True, default=str), status="pending",
                          attempts=0, next_attempt_at=utcnow())
    session.add(job)
    return job


def due_job_ids(session: Session, now: dt.datetime, limit: int = 50) -> list[int]:
    stmt = (select(NotificationJob.id)
            .where(NotificationJob.status == "pending", NotificationJob.next_attempt_at <= now)
            .order_by(NotificationJob.next_attempt_at, NotificationJob.id).limit(limit))
    return list(session.scalars(stmt))


def claim(session: Session, job_id: int, now: dt.datetime) -> NotificationJob | None:
    """Take the job for one lease; None when another worker got it first or it is no longer due."""
    result = session.execute(update(NotificationJob)
                             .where(NotificationJob.id == job_id, NotificationJob.status == "pending",
                                    NotificationJob.next_attempt_at <= now)
                             .values(next_attempt_at=now + CLAIM_LEASE))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(NotificationJob, job_id)


def mark_delivered(job: NotificationJob, now: dt.datetime) -> None:
    job.status = "delivered"
    job.delivered_at = now
    job.attempts += 1
    job.last_error = None


def schedule_retry(job: NotificationJob, error: str, now: dt.datetime, *, base_s: float, max_s: float) -> None:
    """Back off exponentially (with jitter) and keep the job pending: it is retried until it succeeds."""
    job.attempts += 1
    job.last_error = error[:500]
    delay = min(max_s, base_s * (2 ** min(job.attempts - 1, 20)))
    job.next_attempt_at = now + dt.timedelta(seconds=delay * random.uniform(0.8, 1.2))


def jobs_for(session: Session, approval_id: str) -> list[NotificationJob]:
    stmt = select(NotificationJob).where(NotificationJob.approval_id == approval_id).order_by(NotificationJob.id)
    return list(session.scalars(stmt))


def is_due(job: NotificationJob, now: dt.datetime) -> bool:
    return job.status == "pending" and as_utc(job.next_attempt_at) <= now
