"""ContentStore conformance: one suite, run against nx-27017 over the MongoDB wire protocol and the in-memory fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from retrieval.ports import ContentStore


@pytest.fixture(params=["nx-27017", "memory"])
def store(request: pytest.FixtureRequest) -> Iterator[ContentStore]:
    from retrieval.content_store import InMemoryContentStore, MongoContentStore

    if request.param == "memory":
        yield InMemoryContentStore()
        return
    server = request.getfixturevalue("mongo_server")
    instance = MongoContentStore(server.uri, database=f"conf_{uuid.uuid4().hex[:8]}")
    yield instance
    instance.drop_all()
    instance.close()


def test_documents_round_trip_and_replace(store: ContentStore) -> None:
    store.put_document("acme", "d1", {"title": "Travel", "acl_groups": ["all"], "text": "hotel cap", "n": 1})
    store.put_document("acme", "d1", {"title": "Travel v2", "acl_groups": ["all"], "text": "new text", "n": 2})
    store.put_document("acme", "d0", {"title": "Alpha", "acl_groups": ["hr"], "text": "x"})
    doc = store.get_document("acme", "d1")
    assert doc is not None
    assert (doc["title"], doc["text"], doc["n"], doc["tenant"]) == ("Travel v2", "new text", 2, "acme")
    listed = store.list_documents("acme")
    assert [d["doc_id"] for d in listed] == ["d0", "d1"]
    assert all("text" not in d for d in listed), "listing leaves the (large) text out"


def test_documents_are_tenant_scoped(store: ContentStore) -> None:
    store.put_document("acme", "shared-id", {"title": "Acme's"})
    store.put_document("globex", "shared-id", {"title": "Globex's"})
    assert store.get_document("acme", "shared-id")["title"] == "Acme's"  # type: ignore[index]
    assert store.get_document("globex", "shared-id")["title"] == "Globex's"  # type: ignore[index]
    assert store.get_document("initech", "shared-id") is None
    assert store.delete_document("acme", "shared-id") is True
    assert store.delete_document("acme", "shared-id") is False
    assert store.get_document("globex", "shared-id") is not None


def test_transcript_keeps_order_and_structure(store: ContentStore) -> None:
    messages = [{"role": "user", "text": f"message {i}", "meta": {"tokens": i, "tags": ["a", "b"]}} for i in range(12)]
    for message in messages:
        store.append_message("acme", "thread-1", message)
    store.append_message("globex", "thread-1", {"role": "user", "text": "other tenant"})
    assert store.transcript("acme", "thread-1") == messages
    assert store.transcript("acme", "unknown-thread") == []


def test_feedback(store: ContentStore) -> None:
    first = store.add_feedback("acme", {"thread_id": "t1", "rating": 1, "comment": "good"})
    second = store.add_feedback("acme", {"thread_id": "t2", "rating": -1})
    store.add_feedback("globex", {"thread_id": "t1", "rating": 1})
    assert first != second
    assert [f["feedback_id"] for f in store.list_feedback("acme")] == [first, second]
    only_t1 = store.list_feedback("acme", "t1")
    assert len(only_t1) == 1 and only_t1[0]["comment"] == "good" and only_t1[0]["tenant"] == "acme"
    assert store.list_feedback("initech") == []


def test_documents_put_in_bulk(store: ContentStore) -> None:
    store.put_document("acme", "d1", {"title": "Old", "text": "old"})
    store.put_documents("acme", {"d1": {"title": "New", "text": "new"}, "d2": {"title": "Two", "text": "two"}})
    store.put_documents("acme", {})
    assert [(d["doc_id"], d["title"]) for d in store.list_documents("acme")] == [("d1", "New"), ("d2", "Two")]
    assert store.get_document("acme", "d1")["text"] == "new"  # type: ignore[index]
    assert store.list_documents("globex") == []
