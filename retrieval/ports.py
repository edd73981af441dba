"""The protocols every retrieval backend implements, and the values that cross them.

Each protocol has one conformance suite in ``tests/integration/retrieval/`` that runs against every implementation
this machine can start (Milvus Lite file and server mode; ArcadeDB over Bolt; nx-27017 and the in-memory content
store). Production engines (a Milvus cluster, Neo4j, MongoDB) are reached by URI through the same classes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

SearchMode = Literal["hybrid", "dense", "keyword"]


@dataclass(frozen=True, slots=True)
class AccessScope:
    """What one reader may see: a tenant and the ACL groups granted by their roles. Built by ``retrieval.acl``."""

    tenant: str
    groups: frozenset[str]


@dataclass(frozen=True, slots=True)
class Chunk:
    """One indexed passage of a document, with everything a citation needs."""

    chunk_id: str
    doc_id: str
    tenant: str
    acl_groups: tuple[str, ...]
    title: str
    section: str
    page: int
    text: str
    doc_hash: str
    source: str
    embedding: Sequence[float] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """A search result: the chunk's citation data, its text and the score it was ranked by."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    page: int
    text: str
    score: float

    @property
    def snippet(self) -> str:
        """The first ~240 characters of the chunk, cut at a word boundary, for citation cards."""
        if len(self.text) <= 240:
            return self.text
        return self.text[:240].rsplit(" ", 1)[0] + " …"

    def citation(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "chunk_id": self.chunk_id, "title": self.title, "section": self.section,
                "page": self.page, "snippet": self.snippet}


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """What the vector store remembers about a whole document, for incremental indexing."""

    tenant: str
    doc_id: str
    doc_hash: str
    source: str


@runtime_checkable
class Embedder(Protocol):
    """Turns text into dense vectors (all-MiniLM-L6-v2 by default: 384 dimensions, normalised)."""

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@runtime_checkable
class VectorStore(Protocol):
    """Chunks with a dense vector and a keyword (BM25) representation, searched under a mandatory AccessScope."""

    def upsert(self, chunks: Sequence[Chunk]) -> int: ...

    def delete_documents(self, tenant: str, doc_ids: Sequence[str]) -> int: ...

    def delete_stale_versions(self, tenant: str, current: Mapping[str, str]) -> int:
        """Deletes the chunks of each document ``doc_id`` in ``current`` whose hash is not ``current[doc_id]``."""
        ...

    def indexed_documents(self, tenant: str | None = None) -> list[IndexedDocument]: ...

    def count(self, tenant: str | None = None) -> int: ...

    def search(self, scope: AccessScope, *, mode: SearchMode, k: int, query: str,
               vector: Sequence[float] | None = None) -> list[Hit]: ...

    def flush(self) -> None: ...

    def drop(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A node to MERGE: ``label`` and ``key`` (unique within a tenant) identify it; ``props`` are set on it."""

    label: str
    key: str
    props: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GraphEdge:
    """A relationship to MERGE between two nodes of the same tenant, identified by label and key."""

    rel: str
    from_label: str
    from_key: str
    to_label: str
    to_key: str


@runtime_checkable
class GraphStore(Protocol):
    """A property graph reached over Bolt. Only named queries from ``retrieval.graph.queries`` are ever run."""

    def sync(self, tenant: str, nodes: Sequence[GraphNode], edges: Sequence[GraphEdge],
             labels: Sequence[str], rels: Sequence[tuple[str, str, str]]) -> dict[str, int]: ...

    def run_named(self, name: str, tenant: str, **params: Any) -> list[dict[str, Any]]: ...

    def counts(self, tenant: str) -> dict[str, int]: ...

    def clear_tenant(self, tenant: str) -> None: ...

    def close(self) -> None: ...


@runtime_checkable
class ContentStore(Protocol):
    """Raw documents and their metadata, conversation transcripts and user feedback, all tenant-scoped."""

    def put_document(self, tenant: str, doc_id: str, record: Mapping[str, Any]) -> None: ...

    def put_documents(self, tenant: str, records: Mapping[str, Mapping[str, Any]]) -> None:
        """``put_document`` for each ``doc_id -> record`` of ``records``, in one round trip where the store allows."""
        ...

    def get_document(self, tenant: str, doc_id: str) -> dict[str, Any] | None: ...

    def list_documents(self, tenant: str) -> list[dict[str, Any]]: ...

    def delete_document(self, tenant: str, doc_id: str) -> bool: ...

    def append_message(self, tenant: str, thread_id: str, message: Mapping[str, Any]) -> None: ...

    def transcript(self, tenant: str, thread_id: str) -> list[dict[str, Any]]: ...

    def add_feedback(self, tenant: str, record: Mapping[str, Any]) -> str: ...

    def list_feedback(self, tenant: str, thread_id: str | None = None) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...
