"""Publishes erp_core's transactional outbox to Kafka (``nexus outbox relay``, one replica per deployment).

Each batch runs in one database transaction: lock the oldest unpublished events (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so a second relay started by mistake takes other rows instead of duplicating these), produce them, wait
until the broker acknowledged every one (``acks=all``, idempotent producer), then mark them published and commit. If
any delivery fails the transaction rolls back and nothing is marked: the batch is sent again later. Delivery is
therefore at-least-once; consumers deduplicate on the ``nexus-event-id`` header (the outbox row id, unique).

Messages are keyed ``tenant:aggregate_id`` so all events of one aggregate land in one partition, in commit order.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.db import Database
from erp_core.errors import ErrorCode, NexusError
from erp_core.outbox import OutboxEvent, mark_published

log = logging.getLogger("nexus.outbox")


@dataclass(frozen=True)
class RelayConfig:
    bootstrap: str
    topic: str = "nexus.erp.events"
    batch_size: int = 200
    delivery_timeout_s: float = 30.0


def envelope(event: OutboxEvent) -> dict[str, Any]:
    """The message value: the event's identity and its payload, self-describing for any consumer."""
    return {"id": event.id, "tenant": event.tenant, "event_type": event.event_type,
            "aggregate_type": event.aggregate_type, "aggregate_id": event.aggregate_id,
            "created_at": event.created_at.isoformat() if event.created_at else None, "data": event.data}


def lock_unpublished(session: Session, limit: int) -> list[OutboxEvent]:
    """Oldest unpublished events first, row-locked for this transaction where the database can."""
    stmt = select(OutboxEvent).where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


class OutboxRelay:
    """Moves outbox rows to a Kafka topic, batch by batch."""

    def __init__(self, db: Database, config: RelayConfig, producer: Any = None) -> None:
        self._db = db
        self.config = config
        self._producer = producer or _make_producer(config.bootstrap, config.delivery_timeout_s)

    def publish_batch(self) -> int:
        """Publish one batch; returns how many events were published (0: the outbox is empty).

        Raises:
            NexusError: STORE_UNAVAILABLE when the broker did not acknowledge every event (nothing is marked).
        """
        with self._db.unit_of_work() as session:
            events = lock_unpublished(session, self.config.batch_size)
            if not events:
                return 0
            failures: list[str] = []

            def delivered(err: Any, _msg: Any) -> None:
                if err is not None:
                    failures.append(str(err))

            for event in events:
                self._producer.produce(
                    self.config.topic, key=f"{event.tenant}:{event.aggregate_id}".encode(),
                    value=json.dumps(envelope(event), sort_keys=True, default=str).encode(),
                    headers={"nexus-event-id": str(event.id).encode(), "nexus-event-type": event.event_type.encode(),
                             "nexus-tenant": event.tenant.encode()},
                    on_delivery=delivered)
            pending = self._producer.flush(self.config.delivery_timeout_s)
            if pending or failures:
                # Raising rolls the transaction back: every event of the batch stays unpublished and is retried.
                reason = failures[0] if failures else f"{pending} events unacknowledged"
                raise NexusError(ErrorCode.STORE_UNAVAILABLE,
                                 f"Kafka did not acknowledge the batch ({reason}); it will be sent again")
            mark_published(session, [event.id for event in events])
            return len(events)

    def drain(self) -> int:
        """Publish until the outbox is empty; returns the number published."""
        total = 0
        while (count := self.publish_batch()) > 0:
            total += count
        return total

    def run(self, stop: threading.Event, poll_s: float = 1.0, max_backoff_s: float = 60.0) -> None:
        """Relay until ``stop`` is set; a broker outage backs off and retries, it never drops events."""
        backoff = poll_s
        while not stop.is_set():
            try:
                count = self.publish_batch()
            except NexusError as exc:
                log.warning("outbox relay: %s; retrying in %.0fs", exc.message, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, max_backoff_s)
                continue
            backoff = poll_s
            if count:
                log.info("outbox relay: published %d events to %s", count, self.config.topic)
            else:
                stop.wait(poll_s)


def _make_producer(bootstrap: str, delivery_timeout_s: float) -> Any:
    from confluent_kafka import Producer

    # The broker's own delivery timeout ends before our flush does, so an outage reports failures, not a hang.
    return Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5,
                     "message.timeout.ms": max(1000, int(delivery_timeout_s * 1000) - 500),
                     "client.id": "nexus-outbox-relay"})
