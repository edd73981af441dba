"""The ``VectorStore`` on Milvus (Milvus Lite in-process or as a server, or a Milvus cluster by URI).

One collection holds every tenant's chunks. Each chunk has a dense vector (cosine) and a BM25 sparse vector that
Milvus computes itself from the ``text`` field (its built-in BM25 function), so keyword and dense search run on the
same rows and hybrid search fuses them server-side with reciprocal rank fusion (``RRFRanker``).

Every search carries the filter ``tenant == T and ARRAY_CONTAINS_ANY(acl_groups, G)`` built from an AccessScope;
there is no search method without one. Milvus Lite does not support filter templating, so the tenant and group
names are validated as plain identifiers (``retrieval.acl.check_name``) before they are quoted into the expression.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from erp_core.errors import ErrorCode, NexusError
from retrieval.acl import check_name
from retrieval.ports import AccessScope, Chunk, Hit, IndexedDocument, SearchMode

if TYPE_CHECKING:
    from pymilvus import MilvusClient

RRF_K = 60
MAX_TEXT_CHARS = 8000
_OUTPUT_FIELDS = ["chunk_id", "doc_id", "title", "section", "page", "text"]


def _quote(value: str) -> str:
    return json.dumps(value)


def scope_filter(scope: AccessScope) -> str:
    """The mandatory tenant + ACL filter expression of ``scope``."""
    tenant = check_name("tenant", scope.tenant)
    groups = sorted(check_name("acl group", g) for g in scope.groups)
    if not groups:
        raise NexusError(ErrorCode.FORBIDDEN, "the reader holds no ACL group")
    return f"tenant == {_quote(tenant)} and ARRAY_CONTAINS_ANY(acl_groups, {json.dumps(groups)})"


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
            from pymilvus import MilvusClient

            self._client: MilvusClient = MilvusClient(uri=uri, timeout=timeout_s)
            self._ensure_collection()

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
        from pymilvus import DataType, Function, FunctionType

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
            return
        schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=256)
        schema.add_field("tenant", DataType.VARCHAR, max_length=64)
        schema.add_field("acl_groups", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=16, max_length=64)
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
                "acl_groups": list(chunk.acl_groups), "title": chunk.title[:1000], "section": chunk.section[:1000],
                "page": chunk.page, "chunk_index": _chunk_index(chunk.chunk_id), "doc_hash": chunk.doc_hash,
                "source": chunk.source[:1000], "text": chunk.text[:MAX_TEXT_CHARS], "dense": list(chunk.embedding),
            })
        if not rows:
            return 0
        with self._errors("upsert chunks"):
            self._client.upsert(self.collection, rows)
        return len(rows)

    def delete_documents(self, tenant: str, doc_ids: Sequence[str]) -> int:
        if not doc_ids:
            return 0
        expr = f"tenant == {_quote(check_name('tenant', tenant))} and doc_id in {json.dumps(list(doc_ids))}"
        with self._errors("delete documents"):
            result = self._client.delete(self.collection, filter=expr)
        return _deleted_count(result)

    def delete_stale_chunks(self, tenant: str, doc_id: str, keep_hash: str) -> int:
        """Removes a document's chunks from older versions (after the new version was upserted)."""
        expr = (f"tenant == {_quote(check_name('tenant', tenant))} and doc_id == {_quote(doc_id)} "
                f"and doc_hash != {_quote(keep_hash)}")
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
        """Top-``k`` chunks for ``query`` that ``scope`` may read. Dense and hybrid modes need ``vector``."""
        expr = scope_filter(scope)
        if mode in ("dense", "hybrid") and (vector is None or len(vector) != self.dimension):
            raise NexusError(ErrorCode.VALIDATION_FAILED, f"{mode} search needs a {self.dimension}-d query vector")
        with self._errors(f"{mode} search"):
            if mode == "dense":
                result = self._client.search(self.collection, data=[list(vector or ())], anns_field="dense",
                                             limit=k, filter=expr, output_fields=_OUTPUT_FIELDS,
                                             search_params={"metric_type": "COSINE"})
            elif mode == "keyword":
                result = self._client.search(self.collection, data=[query], anns_field="sparse", limit=k,
                                             filter=expr, output_fields=_OUTPUT_FIELDS,
                                             search_params={"metric_type": "BM25"})
            else:
                from pymilvus import AnnSearchRequest, RRFRanker

                # Each side fetches a deeper list than k so that fusion has overlap to work with.
                depth = max(4 * k, 20)
                requests = [
                    AnnSearchRequest(data=[list(vector or ())], anns_field="dense", param={"metric_type": "COSINE"},
                                     limit=depth, expr=expr),
                    AnnSearchRequest(data=[query], anns_field="sparse", param={"metric_type": "BM25"},
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
