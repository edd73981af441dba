"""The ``VectorStore`` on Milvus (Milvus Lite in-process or as a server, or a Milvus cluster by URI).

One collection holds every tenant's chunks. Each chunk has a dense vector (cosine) and a BM25 sparse vector that
Milvus computes itself from the ``text`` field (its built-in BM25 function), so keyword and dense search run on the
same rows and hybrid search fuses them server-side with reciprocal rank fusion (``RRFRanker``).

Every search carries the filter ``tenant == T and (acl_key like "%|g1|%" or …)`` built from an AccessScope; there
is no search method without one. ``acl_key`` holds the chunk's ACL groups as ``|g1|g2|`` (``acl_key_of``) next to the
``acl_groups`` array: Milvus Lite evaluates any array function row by row in Python (``ARRAY_CONTAINS_ANY`` cost
6.6 s per search at 100k chunks), while ``==`` and ``like`` run as vectorised Arrow kernels, and a Milvus server
handles both natively. Milvus Lite does not support filter templating, so the tenant and group names are validated
as plain identifiers (``retrieval.acl.check_name``) before they are quoted into the expression; in ``acl_key`` the
``_`` of a group name (a LIKE wildcard) is written as ``.``, which names cannot contain, so each pattern matches one
group exactly. A collection created before ``acl_key`` existed is migrated in place when opened.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from erp_core.errors import ErrorCode, NexusError
from retrieval.acl import check_name
from retrieval.ports import AccessScope, Chunk, Hit, IndexedDocument, SearchMode

if TYPE_CHECKING:
    from pymilvus import MilvusClient

RRF_K = 60
# HNSW search breadth (AUTOINDEX is HNSW in Milvus on CPU and in Milvus Lite with faiss). Under a restrictive ACL
# filter the default (64) missed exact neighbours: recall@5 0.90 against an exact filtered top 5 at 100k chunks, 0.99
# with 256, at no measurable latency cost in Milvus Lite (its per-row visibility checks dominate a search).
DENSE_EF = 256
_DENSE_PARAMS: dict[str, Any] = {"metric_type": "COSINE", "params": {"ef": DENSE_EF}}
MAX_TEXT_CHARS = 8000
MAX_ACL_GROUPS = 16
_OUTPUT_FIELDS = ["chunk_id", "doc_id", "title", "section", "page", "text"]
_INSERT_BATCH = 2000
# Milvus Lite's channel: keepalive pings only during calls, and no more often than its server's 5-minute minimum.
_LITE_CHANNEL = {"grpc.keepalive_permit_without_calls": False, "grpc.keepalive_time_ms": 300_000}


# Words too common to rank by: Milvus' BM25 scores every posting of each query term, so "what is the … per …" cost
# Milvus Lite about half of a keyword search at 100k chunks, for terms whose IDF is near zero anyway.
_STOP_WORDS_TEXT = """
a about above after again against all am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers herself him
himself his how i if in into is it its itself just let me more most my myself no nor not now of off on once only or
other our ours ourselves out over own per same she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where which while who whom
why will with would you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def keyword_query(text: str) -> str:
    """``text`` without its stop words (the rest verbatim), or ``text`` itself when nothing else is left."""
    kept = [word for word in text.split() if word.strip(".,;:!?()[]{}\"'").lower() not in STOP_WORDS]
    return " ".join(kept) if kept else text


def _quote(value: str) -> str:
    return json.dumps(value)


def _acl_token(group: str) -> str:
    """``|group|`` with ``_`` (a LIKE wildcard, allowed in names) written as ``.`` (not allowed in names)."""
    return f"|{check_name('acl group', group).replace('_', '.')}|"


def acl_key_of(groups: Sequence[str]) -> str:
    """The ``acl_key`` value of a chunk readable by ``groups``: ``|all|finance|``."""
    return "|" + "".join(_acl_token(g)[1:] for g in sorted(set(groups)))


def scope_filter(scope: AccessScope) -> str:
    """The mandatory tenant + ACL filter expression of ``scope``: the tenant and at least one of its groups."""
    tenant = check_name("tenant", scope.tenant)
    groups = sorted(scope.groups)
    if not groups:
        raise NexusError(ErrorCode.FORBIDDEN, "the reader holds no ACL group")
    readable = " or ".join(f"acl_key like {_quote('%' + _acl_token(g) + '%')}" for g in groups)
    return f"tenant == {_quote(tenant)} and ({readable})"


class MilvusVectorStore:
    """Chunks in one Milvus collection with dense + BM25 search.

    Args:
        uri: a Milvus Lite path (``…/milvus.db``) or a server URI (``http://127.0.0.1:19530``).
        dimension: dense vector size; must match an existing collection.
        collection: collection name.
        timeout_s: per-call timeout, so a dead server is an error and not a hang.
    """

    def __init__(self, uri: str, dimension: int, collection: str = "nexus_chunks", timeout_s: float = 10.0) -> None:
        self.uri = uri
        self.dimension = dimension
        self.collection = collection
        self.timeout_s = timeout_s
        with self._errors("connect"):
            self._client = self._connect()
            self._ensure_collection()

    def _connect(self) -> MilvusClient:
        from pymilvus import MilvusClient

        # pymilvus pings every 10 s even while idle; Milvus Lite's in-process gRPC server allows one ping in 5
        # minutes without calls, answers GOAWAY "too_many_pings", and the client's reconnect can fail under load,
        # leaving document search down for good (seen in a `make run` widget session). No idle pings for it.
        options = {"grpc_options": _LITE_CHANNEL} if self.uri.endswith(".db") else {}
        return MilvusClient(uri=self.uri, timeout=self.timeout_s, **options)

    def _reconnect(self) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
        self._client = self._connect()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Milvus and gRPC failures become STORE_UNAVAILABLE with the action and URI in the message."""
        try:
            yield
        except NexusError:
            raise
        except Exception as exc:  # pymilvus raises MilvusException, grpc errors and plain OSError alike
            raise NexusError(ErrorCode.STORE_UNAVAILABLE,
                             f"vector store {self.uri} failed to {action}: {type(exc).__name__}: {exc}") from exc

    def _ensure_collection(self) -> None:
        client = self._client
        if client.has_collection(self.collection):
            info = client.describe_collection(self.collection)
            dense = next((f for f in info["fields"] if f["name"] == "dense"), None)
            found = dense and int(dense.get("params", {}).get("dim", 0))
            if found != self.dimension:
                raise NexusError(ErrorCode.STORE_UNAVAILABLE,
                                 f"collection {self.collection} has dense dimension {found}, the embedder gives "
                                 f"{self.dimension}; re-create it with `nexus index --rebuild`")
            client.load_collection(self.collection)
            if not any(f["name"] == "acl_key" for f in info["fields"]):
                self._migrate_to_acl_key([f["name"] for f in info["fields"] if f["name"] != "sparse"])
            return
        self._create_collection()

    def _create_collection(self) -> None:
        from pymilvus import DataType, Function, FunctionType

        client = self._client
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=256)
        schema.add_field("tenant", DataType.VARCHAR, max_length=64)
        schema.add_field("acl_groups", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_ACL_GROUPS,
                         max_length=64)
        schema.add_field("acl_key", DataType.VARCHAR, max_length=MAX_ACL_GROUPS * 66 + 1)
        schema.add_field("title", DataType.VARCHAR, max_length=1024)
        schema.add_field("section", DataType.VARCHAR, max_length=1024)
        schema.add_field("page", DataType.INT64)
        schema.add_field("chunk_index", DataType.INT64)
        schema.add_field("doc_hash", DataType.VARCHAR, max_length=64)
        schema.add_field("source", DataType.VARCHAR, max_length=1024)
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_CHARS * 4, enable_analyzer=True)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=self.dimension)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="text_bm25", function_type=FunctionType.BM25,
                                     input_field_names=["text"], output_field_names=["sparse"]))
        index = client.prepare_index_params()
        index.add_index(field_name="dense", index_type="AUTOINDEX", metric_type="COSINE")
        index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        client.create_collection(self.collection, schema=schema, index_params=index)
        client.load_collection(self.collection)

    def _migrate_to_acl_key(self, fields: list[str]) -> None:
        """Re-creates a collection written before ``acl_key`` existed, keeping its rows (vectors included)."""
        client = self._client
        rows: list[dict[str, Any]] = []
        iterator = client.query_iterator(self.collection, batch_size=1000, filter="", output_fields=fields)
        while batch := iterator.next():
            rows.extend(batch)
        iterator.close()
        for row in rows:
            row["acl_key"] = acl_key_of(row["acl_groups"])
        client.drop_collection(self.collection)
        self._create_collection()
        for start in range(0, len(rows), _INSERT_BATCH):
            client.insert(self.collection, rows[start:start + _INSERT_BATCH])
        client.flush(self.collection)

    # ------------------------------------------------------------------------------------------------ writes

    def upsert(self, chunks: Sequence[Chunk]) -> int:
        rows = []
        for chunk in chunks:
            if len(chunk.embedding) != self.dimension:
                raise NexusError(ErrorCode.VALIDATION_FAILED,
                                 f"chunk {chunk.chunk_id} has {len(chunk.embedding)} dimensions, "
                                 f"expected {self.dimension}")
            rows.append({
                "chunk_id": chunk.chunk_id, "doc_id": chunk.doc_id, "tenant": check_name("tenant", chunk.tenant),
                "acl_groups": list(chunk.acl_groups), "acl_key": acl_key_of(chunk.acl_groups),
                "title": chunk.title[:1000], "section": chunk.section[:1000],
                "page": chunk.page, "chunk_index": _chunk_index(chunk.chunk_id), "doc_hash": chunk.doc_hash,
                "source": chunk.source[:1000], "text": chunk.text[:MAX_TEXT_CHARS], "dense": list(chunk.embedding),
            })
        if not rows:
            return 0
        with self._errors("upsert chunks"):
            for start in range(0, len(rows), _INSERT_BATCH):
                self._client.upsert(self.collection, rows[start:start + _INSERT_BATCH])
        return len(rows)

    def delete_documents(self, tenant: str, doc_ids: Sequence[str]) -> int:
        if not doc_ids:
            return 0
        expr = f"tenant == {_quote(check_name('tenant', tenant))} and doc_id in {json.dumps(list(doc_ids))}"
        with self._errors("delete documents"):
            result = self._client.delete(self.collection, filter=expr)
        return _deleted_count(result)

    def delete_stale_versions(self, tenant: str, current: Mapping[str, str]) -> int:
        """Removes the older versions' chunks of every document in ``current`` (doc id -> hash just written, after
        the new versions were upserted) with one delete: Milvus Lite spends ~10 ms per delete call, whatever it
        matches."""
        if not current:
            return 0
        stale = " or ".join(f"(doc_id == {_quote(doc_id)} and doc_hash != {_quote(doc_hash)})"
                            for doc_id, doc_hash in sorted(current.items()))
        expr = f"tenant == {_quote(check_name('tenant', tenant))} and ({stale})"
        with self._errors("delete stale chunks"):
            return _deleted_count(self._client.delete(self.collection, filter=expr))

    # ------------------------------------------------------------------------------------------------ reads

    def indexed_documents(self, tenant: str | None = None) -> list[IndexedDocument]:
        expr = "chunk_index == 0"
        if tenant is not None:
            expr += f" and tenant == {_quote(check_name('tenant', tenant))}"
        fields = ["tenant", "doc_id", "doc_hash", "source"]
        rows: list[dict[str, Any]] = []
        with self._errors("list documents"):
            iterator = self._client.query_iterator(self.collection, batch_size=1000, filter=expr,
                                                   output_fields=fields)
            while batch := iterator.next():
                rows.extend(batch)
            iterator.close()
        return [IndexedDocument(r["tenant"], r["doc_id"], r["doc_hash"], r["source"]) for r in rows]

    def count(self, tenant: str | None = None) -> int:
        expr = "" if tenant is None else f"tenant == {_quote(check_name('tenant', tenant))}"
        with self._errors("count chunks"):
            result = self._client.query(self.collection, filter=expr, output_fields=["count(*)"])
        return int(result[0]["count(*)"])

    def search(self, scope: AccessScope, *, mode: SearchMode, k: int, query: str,
               vector: Sequence[float] | None = None) -> list[Hit]:
        """Top-``k`` chunks for ``query`` that ``scope`` may read. Dense and hybrid modes need ``vector``.

        A search that fails to reach the store reconnects once and tries again: a dropped channel (an idle
        connection closed by the server, a restarted Milvus) is not a store that is down."""
        if mode in ("dense", "hybrid") and (vector is None or len(vector) != self.dimension):
            raise NexusError(ErrorCode.VALIDATION_FAILED, f"{mode} search needs a {self.dimension}-d query vector")
        try:
            return self._search(scope, mode, k, query, vector)
        except NexusError as exc:
            if exc.code is not ErrorCode.STORE_UNAVAILABLE:
                raise
            with self._errors("reconnect"):
                self._reconnect()
            return self._search(scope, mode, k, query, vector)

    def _search(self, scope: AccessScope, mode: SearchMode, k: int, query: str,
                vector: Sequence[float] | None) -> list[Hit]:
        expr = scope_filter(scope)
        with self._errors(f"{mode} search"):
            if mode == "dense":
                result = self._client.search(self.collection, data=[list(vector or ())], anns_field="dense",
                                             limit=k, filter=expr, output_fields=_OUTPUT_FIELDS,
                                             search_params=_DENSE_PARAMS)
            elif mode == "keyword":
                result = self._client.search(self.collection, data=[keyword_query(query)], anns_field="sparse", limit=k,
                                             filter=expr, output_fields=_OUTPUT_FIELDS,
                                             search_params={"metric_type": "BM25"})
            else:
                from pymilvus import AnnSearchRequest, RRFRanker

                # Each side fetches a deeper list than k so that fusion has overlap to work with.
                depth = max(4 * k, 20)
                requests = [
                    AnnSearchRequest(data=[list(vector or ())], anns_field="dense", param=_DENSE_PARAMS,
                                     limit=depth, expr=expr),
                    AnnSearchRequest(data=[keyword_query(query)], anns_field="sparse", param={"metric_type": "BM25"},
                                     limit=depth, expr=expr),
                ]
                result = self._client.hybrid_search(self.collection, requests, ranker=RRFRanker(RRF_K), limit=k,
                                                    output_fields=_OUTPUT_FIELDS)
        return [_hit(row) for row in result[0]]

    def flush(self) -> None:
        """Seals buffered writes into segments. Milvus Lite scans its write buffer row by row on every search, so
        a large index must be flushed after loading to keep search fast (a Milvus server flushes on its own)."""
        with self._errors("flush"):
            self._client.flush(self.collection)

    def drop(self) -> None:
        """Deletes the whole collection (``nexus index --rebuild``)."""
        with self._errors("drop collection"):
            self._client.drop_collection(self.collection)

    def close(self) -> None:
        self._client.close()


def _chunk_index(chunk_id: str) -> int:
    """Chunk ids end in ``#<n>`` (see ``retrieval.indexing.chunks``)."""
    try:
        return int(chunk_id.rsplit("#", 1)[1])
    except (IndexError, ValueError) as exc:
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"chunk id {chunk_id!r} lacks its '#<n>' suffix") from exc


def _deleted_count(result: Any) -> int:
    if isinstance(result, dict):
        return int(result.get("delete_count", 0))
    return len(result) if isinstance(result, list) else int(getattr(result, "delete_count", 0))


def _hit(row: dict[str, Any]) -> Hit:
    entity = row.get("entity", row)
    return Hit(chunk_id=entity["chunk_id"], doc_id=entity["doc_id"], title=entity["title"],
               section=entity["section"], page=int(entity["page"]), text=entity["text"],
               score=abs(float(row.get("distance", 0.0))))
