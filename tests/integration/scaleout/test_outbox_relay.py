"""The outbox relay against a real Kafka-protocol broker: each posted entry's event reaches the topic exactly once
per successful batch, in order, keyed by aggregate; a broker outage marks nothing and the events go out later."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from erp_core import migrations
from erp_core.db import Database
from erp_core.errors import ErrorCode, NexusError
from erp_core.outbox import OutboxEvent
from server.outbox_relay import OutboxRelay, RelayConfig

pytestmark = pytest.mark.postgres


def consume_all(bootstrap: str, topic: str, expected: int, timeout_s: float = 20) -> list[Any]:
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"t-{uuid.uuid4().hex[:6]}",
                         "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    messages: list[Any] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error():
                messages.append(msg)
            if len(messages) >= expected and msg is None:  # one empty poll after the last: nothing more came
                break
    finally:
        consumer.close()
    return messages


def create_topic(bootstrap: str) -> str:
    from confluent_kafka.admin import AdminClient, NewTopic

    topic = f"nexus.erp.events.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})  # kept alive until the topic exists
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(10)
    return topic


def unpublished(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEvent)
                                  .where(OutboxEvent.published_at.is_(None))) or 0)


@pytest.fixture()
def db(pg_url: str) -> Any:
    migrations.upgrade(pg_url)
    database = Database(pg_url)
    yield database
    database.dispose()


def test_posted_entries_reach_kafka_in_order_and_are_marked_published(db: Database, kit: Any,
                                                                      kafka_broker: str) -> None:
    kit.setup_books(db, "acme")
    ids = [kit.post_small_entry(db, "acme", amount) for amount in ("120.00", "75.50", "9.99")]
    assert unpublished(db) == 3
    topic = create_topic(kafka_broker)
    relay = OutboxRelay(db, RelayConfig(kafka_broker, topic, batch_size=2))

    assert relay.drain() == 3  # two batches: 2 + 1
    assert unpublished(db) == 0
    assert relay.drain() == 0  # nothing is sent twice

    messages = consume_all(kafka_broker, topic, expected=3)
    assert len(messages) == 3
    bodies = [json.loads(m.value()) for m in messages]
    assert [b["aggregate_id"] for b in bodies] == ids  # commit order
    assert {b["event_type"] for b in bodies} == {"gl.journal_entry.posted"}
    assert [m.key().decode() for m in messages] == [f"acme:{i}" for i in ids]
    event_ids = [dict(m.headers())["nexus-event-id"].decode() for m in messages]
    assert event_ids == [str(b["id"]) for b in bodies] and len(set(event_ids)) == 3
    assert bodies[1]["data"]  # the domain payload travels with the envelope


def test_broker_outage_marks_nothing_and_the_events_go_out_later(db: Database, kit: Any, kafka_broker: str,
                                                                 unused_port: int) -> None:
    kit.setup_books(db, "acme")
    kit.post_small_entry(db, "acme", "42.00")
    down = OutboxRelay(db, RelayConfig(f"127.0.0.1:{unused_port}", "nexus.erp.events", delivery_timeout_s=2))
    with pytest.raises(NexusError) as info:
        down.publish_batch()
    assert info.value.code is ErrorCode.STORE_UNAVAILABLE and info.value.retryable
    assert unpublished(db) == 1  # rolled back: still waiting

    topic = create_topic(kafka_broker)
    assert OutboxRelay(db, RelayConfig(kafka_broker, topic)).drain() == 1
    assert unpublished(db) == 0
    assert len(consume_all(kafka_broker, topic, expected=1)) == 1
