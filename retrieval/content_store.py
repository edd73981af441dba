"""The ``ContentStore``: raw documents and metadata, conversation transcripts and feedback.

``MongoContentStore`` speaks the MongoDB wire protocol through pymongo, so the same code serves the embedded
``nx-27017`` server and a production MongoDB replica set. ``InMemoryContentStore`` is the fast fake for unit tests;
both pass the same conformance suite.

Transcript messages are one document each (not an array pushed onto a thread document): nx-27017 stores ``$push``-ed
sub-documents as JSON strings, and one-per-message also keeps long threads cheap to append to.
"""

from __future__ import annotations

import copy
import itertools
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from erp_core.errors import ErrorCode, NexusError
from retrieval.acl import check_name

if TYPE_CHECKING:
    from pymongo import MongoClient

_DOCUMENTS, _MESSAGES, _FEEDBACK = "documents", "messages", "feedback"


def _clean(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {k: v for k, v in record.items() if k != "_id"}


class MongoContentStore:
    """pymongo-backed store; ``uri`` like ``mongodb://127.0.0.1:27017/``. Short timeouts: a dead server fails fast."""

    def __init__(self, uri: str, database: str = "nexus", timeout_s: float = 3.0) -> None:
        from pymongo import MongoClient

        self.uri = uri
        timeout_ms = int(timeout_s * 1000)
        self._client: MongoClient[dict[str, Any]] = MongoClient(
            uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms, socketTimeoutMS=timeout_ms * 4)
        self._db = self._client[database]
        with self._errors("connect"):
            self._client.admin.command("ping")
            self._db[_DOCUMENTS].create_index([("tenant", 1), ("doc_id", 1)], unique=True)
            self._db[_MESSAGES].create_index([("tenant", 1), ("thread_id", 1), ("seq", 1)])
            self._db[_FEEDBACK].create_index([("tenant", 1), ("feedback_id", 1)], unique=True)
        self._seq = itertools.count()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        from pymongo.errors import PyMongoError

        try:
            yield
        except PyMongoError as exc:
            raise NexusError(ErrorCode.STORE_UNAVAILABLE,
                             f"content store {self.uri} failed to {action}: {type(exc).__name__}: {exc}") from exc

    def put_document(self, tenant: str, doc_id: str, record: Mapping[str, Any]) -> None:
        body = {**record, "tenant": check_name("tenant", tenant), "doc_id": doc_id}
        with self._errors("store a document"):
            self._db[_DOCUMENTS].replace_one({"tenant": tenant, "doc_id": doc_id}, body, upsert=True)

    def put_documents(self, tenant: str, records: Mapping[str, Mapping[str, Any]]) -> None:
        from pymongo import ReplaceOne

        check_name("tenant", tenant)
        writes = [ReplaceOne({"tenant": tenant, "doc_id": doc_id}, {**record, "tenant": tenant, "doc_id": doc_id},
                             upsert=True) for doc_id, record in records.items()]
        if writes:
            with self._errors("store documents"):
                self._db[_DOCUMENTS].bulk_write(writes, ordered=False)

    def get_document(self, tenant: str, doc_id: str) -> dict[str, Any] | None:
        with self._errors("read a document"):
            return _clean(self._db[_DOCUMENTS].find_one({"tenant": tenant, "doc_id": doc_id}))

    def list_documents(self, tenant: str) -> list[dict[str, Any]]:
        with self._errors("list documents"):
            rows = self._db[_DOCUMENTS].find({"tenant": tenant}, {"text": 0}).sort("doc_id", 1)
            return [r for r in (_clean(row) for row in rows) if r is not None]

    def delete_document(self, tenant: str, doc_id: str) -> bool:
        with self._errors("delete a document"):
            return self._db[_DOCUMENTS].delete_one({"tenant": tenant, "doc_id": doc_id}).deleted_count > 0

    def append_message(self, tenant: str, thread_id: str, message: Mapping[str, Any]) -> None:
        # time_ns, then a per-process counter for messages written within the same clock tick
        body = {"message": dict(message), "tenant": check_name("tenant", tenant), "thread_id": thread_id,
                "seq": time.time_ns(), "n": next(self._seq)}
        with self._errors("append a message"):
            self._db[_MESSAGES].insert_one(body)

    def transcript(self, tenant: str, thread_id: str) -> list[dict[str, Any]]:
        with self._errors("read a transcript"):
            rows = self._db[_MESSAGES].find({"tenant": tenant, "thread_id": thread_id}).sort([("seq", 1), ("n", 1)])
            return [dict(row["message"]) for row in rows]

    def add_feedback(self, tenant: str, record: Mapping[str, Any]) -> str:
        feedback_id = uuid.uuid4().hex
        body = {**record, "tenant": check_name("tenant", tenant), "feedback_id": feedback_id,
                "created_at": time.time()}
        with self._errors("store feedback"):
            self._db[_FEEDBACK].insert_one(body)
        return feedback_id

    def list_feedback(self, tenant: str, thread_id: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"tenant": tenant}
        if thread_id is not None:
            query["thread_id"] = thread_id
        with self._errors("list feedback"):
            rows = self._db[_FEEDBACK].find(query).sort("created_at", 1)
            return [r for r in (_clean(row) for row in rows) if r is not None]

    def drop_all(self) -> None:
        """Removes every collection of this store (tests and ``nexus stores reset``)."""
        with self._errors("drop collections"):
            for name in (_DOCUMENTS, _MESSAGES, _FEEDBACK):
                self._db.drop_collection(name)

    def close(self) -> None:
        self._client.close()


class InMemoryContentStore:
    """A dict-backed ContentStore for unit tests and single-process tools; same behaviour as the Mongo one."""

    def __init__(self) -> None:
        self._documents: dict[tuple[str, str], dict[str, Any]] = {}
        self._messages: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._feedback: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def put_document(self, tenant: str, doc_id: str, record: Mapping[str, Any]) -> None:
        with self._lock:
            body = {**copy.deepcopy(dict(record)), "tenant": check_name("tenant", tenant), "doc_id": doc_id}
            self._documents[(tenant, doc_id)] = body

    def put_documents(self, tenant: str, records: Mapping[str, Mapping[str, Any]]) -> None:
        for doc_id, record in records.items():
            self.put_document(tenant, doc_id, record)

    def get_document(self, tenant: str, doc_id: str) -> dict[str, Any] | None:
        found = self._documents.get((tenant, doc_id))
        return copy.deepcopy(found) if found is not None else None

    def list_documents(self, tenant: str) -> list[dict[str, Any]]:
        rows = [{k: v for k, v in doc.items() if k != "text"} for (t, _), doc in self._documents.items()
                if t == tenant]
        return sorted(copy.deepcopy(rows), key=lambda r: r["doc_id"])

    def delete_document(self, tenant: str, doc_id: str) -> bool:
        with self._lock:
            return self._documents.pop((tenant, doc_id), None) is not None

    def append_message(self, tenant: str, thread_id: str, message: Mapping[str, Any]) -> None:
        check_name("tenant", tenant)
        with self._lock:
            self._messages.setdefault((tenant, thread_id), []).append(copy.deepcopy(dict(message)))

    def transcript(self, tenant: str, thread_id: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self._messages.get((tenant, thread_id), []))

    def add_feedback(self, tenant: str, record: Mapping[str, Any]) -> str:
        feedback_id = uuid.uuid4().hex
        with self._lock:
            self._feedback.append({**copy.deepcopy(dict(record)), "tenant": check_name("tenant", tenant),
                                   "feedback_id": feedback_id, "created_at": time.time()})
        return feedback_id

    def list_feedback(self, tenant: str, thread_id: str | None = None) -> list[dict[str, Any]]:
        return [copy.deepcopy(f) for f in self._feedback
                if f["tenant"] == tenant and (thread_id is None or f.get("thread_id") == thread_id)]

    def close(self) -> None:
        """Nothing to release."""
