"""The approval-notification worker: feeds jobs from new pending approvals and delivers due jobs, with retries.

It runs in a daemon thread inside the server (``start``/``stop``); ``poll_once`` does one pass synchronously, which
is what tests and the CLI call. Approval requests are read from erp_core's table; the jobs live in the interface
layer's own table (``server.notifications.store``), so a crash between "enqueued" and "delivered" loses nothing.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from erp_core.approvals import ApprovalRequest, ApprovalStatus, approval_view
from erp_core.tenancy import utcnow
from server.notifications import store
from server.notifications.channels import Channel, ChannelDown
from server.notifications.recipients import recipients_of

if TYPE_CHECKING:
    from erp_core.db import Database
    from server.metrics import Metrics

log = logging.getLogger("nexus.notifications")


class NotificationService:
    def __init__(self, db: Database, channels: list[Channel], *, metrics: Metrics | None = None,
                 poll_s: float = 2.0, max_backoff_s: float = 600.0,
                 wants_channel: dict[str, object] | None = None) -> None:
        self._db = db
        self._channels = {c.name: c for c in channels}
        self._metrics = metrics
        self.poll_s = poll_s
        self.max_backoff_s = max_backoff_s
        # Per channel, a predicate "does this recipient use it" (Slack: only mapped users).
        self._wants = wants_channel or {}
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # --- feeding
    def feed_once(self) -> int:
        """Enqueue jobs for pending approvals not seen before; returns how many approvals were enqueued."""
        with self._db.read() as session:
            seen = select(store.NotifiedApproval.approval_id)
            fresh = list(session.scalars(select(ApprovalRequest.id).where(
                ApprovalRequest.status == ApprovalStatus.PENDING.value, ApprovalRequest.id.not_in(seen))
                .order_by(ApprovalRequest.created_at).limit(200)))
        enqueued = 0
        for approval_id in fresh:
            try:
                with self._db.unit_of_work() as session:
                    request = session.get(ApprovalRequest, approval_id)
                    if request is None:
                        continue
                    session.add(store.NotifiedApproval(approval_id=request.id, tenant=request.tenant))
                    session.flush()  # another worker enqueued it first: IntegrityError, nothing written
                    view = approval_view(request, session)
                    for user in recipients_of(request, session):
                        for name in self._channels:
                            if self._uses(name, user):
                                store.enqueue(session, request.tenant, request.id, user, name, view)
                enqueued += 1
            except IntegrityError:
                continue
        return enqueued

    def _uses(self, channel: str, user: str) -> bool:
        wants = self._wants.get(channel)
        return bool(wants(user)) if callable(wants) else True

    # --- delivering
    def deliver_once(self) -> int:
        """Deliver every due job once; returns how many were delivered."""
        now = utcnow()
        with self._db.read() as session:
            due = store.due_job_ids(session, now)
        delivered = 0
        for job_id in due:
            with self._db.unit_of_work() as session:
                job = store.claim(session, job_id, now)
            if job is None:
                continue
            delivered += self._attempt(job_id)
        return delivered

    def _attempt(self, job_id: int) -> int:
        # The channel call happens outside any transaction: a slow Slack must not hold a database lock.
        with self._db.read() as session:
            job = session.get(store.NotificationJob, job_id)
            if job is None or job.status != "pending":
                return 0
            session.expunge(job)
        channel = self._channels.get(job.channel)
        error: str | None = None
        try:
            if channel is None:
                raise ChannelDown(f"channel {job.channel} is not configured in this process")
            channel.deliver(job)
        except Exception as exc:  # any failure of a channel means "try again later", never "drop it"
            error = f"{type(exc).__name__}: {exc}"
        with self._db.unit_of_work() as session:
            row = session.get(store.NotificationJob, job_id)
            if row is None:
                return 0
            now = utcnow()
            if error is not None:
                store.schedule_retry(row, error, now, base_s=self.poll_s, max_s=self.max_backoff_s)
                log.warning("notification %s via %s failed (attempt %s), will retry: %s", row.id, row.channel,
                            row.attempts, error)
            else:
                store.mark_delivered(row, now)
        self._count(job.channel, "retry" if error else "delivered")
        return 0 if error else 1

    def _count(self, channel: str, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.notifications.labels(channel=channel, outcome=outcome).inc()

    def poll_once(self) -> tuple[int, int]:
        return self.feed_once(), self.deliver_once()

    # --- the background thread
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="nexus-notifications", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a pass now instead of at the next tick (e.g. right after an approval was submitted)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the database may be briefly unavailable; the next tick tries again
                log.exception("notification pass failed")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def close(self) -> None:
        self.stop()
