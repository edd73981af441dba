"""Opens the retrieval stores from a ``RetrievalConfig``: a configured URI wins, else the embedded default.

Embedded defaults: the vector store is Milvus Lite (``<data_dir>/milvus.db`` in-process, or the ``milvus-lite
server`` started by ``nexus stores start``); the graph is the local ArcadeDB Bolt server and the content store the
local nx-27017 server, found running (``nexus stores start``) or started for this process and stopped on ``close``.
The composition root (``server.bootstrap``) and the CLI commands call ``open_stores`` once.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TypeVar

from retrieval.config import RetrievalConfig
from retrieval.ports import ContentStore, Embedder, GraphStore, VectorStore
from retrieval.search import DocumentSearch
from retrieval.servers.local import LocalStores

_Store = TypeVar("_Store")


@dataclass
class RetrievalStores:
    """The opened stores, typed by their ports. ``close`` also stops servers this process started.

    ``vector`` and ``graph`` are there when ``open_stores`` was asked for them (reading one that was not is a
    programming error); ``content`` and ``embedder`` are None when not requested.
    """

    local: LocalStores
    opened_vector: VectorStore | None = None
    opened_graph: GraphStore | None = None
    content: ContentStore | None = None
    embedder: Embedder | None = None

    @property
    def vector(self) -> VectorStore:
        return _requested(self.opened_vector, "vector")

    @property
    def graph(self) -> GraphStore:
        return _requested(self.opened_graph, "graph")

    def search(self) -> DocumentSearch:
        """A ``DocumentSearch`` over the vector store and embedder."""
        return DocumentSearch(self.vector, _requested(self.embedder, "vector"))

    def close(self) -> None:
        for store in (self.opened_vector, self.opened_graph, self.content):
            if store is not None:
                with contextlib.suppress(Exception):  # closing a client whose server died must not mask the cause
                    store.close()
        self.local.close()


def _requested(store: _Store | None, name: str) -> _Store:
    if store is None:
        raise RuntimeError(f"the {name} store was not opened: ask open_stores for it ({name}=True)")
    return store


def open_stores(config: RetrievalConfig, *, vector: bool = True, graph: bool = True, content: bool = True,
                start_local: bool = True) -> RetrievalStores:
    """Connects the requested stores.

    Raises:
        NexusError: STORE_UNAVAILABLE naming the store and URI when one cannot be reached or started.
    """
    config.data_dir.mkdir(parents=True, exist_ok=True)
    stores = RetrievalStores(local=LocalStores(config.local))
    timeout = config.timeout_s
    try:
        if vector:
            from retrieval.embedding import SentenceTransformerEmbedder
            from retrieval.milvus_store import MilvusVectorStore

            stores.embedder = SentenceTransformerEmbedder(config.embedding_model_path, config.embedding_device)
            uri = config.milvus_uri or stores.local.uri("milvus") or str(stores.local.cfg.milvus_lite_path.resolve())
            # all-MiniLM-L6-v2 is 384-d; asking the model would load torch just to open the store
            dimension = 384 if config.embedding_model_path is None else stores.embedder.dimension
            stores.opened_vector = MilvusVectorStore(uri, dimension, config.milvus_collection,
                                                     timeout_s=max(timeout, 10))
        if graph:
            from retrieval.graph.bolt_store import BoltGraphStore

            graph_uri = config.graph_uri or stores.local.uri("graph", start=start_local)
            if graph_uri is None:
                from retrieval.servers.supervisor import unavailable

                raise unavailable("graph store", "no NEXUS_GRAPH_URI and no local server (run `nexus stores start`)")
            stores.opened_graph = BoltGraphStore(graph_uri, config.graph_user, config.graph_password,
                                          config.graph_database, timeout_s=timeout)
        if content:
            from retrieval.content_store import MongoContentStore

            content_uri = config.mongo_uri or stores.local.uri("mongo", start=start_local)
            if content_uri is None:
                from retrieval.servers.supervisor import unavailable

                raise unavailable("content store", "no NEXUS_MONGO_URI and no local server (run `nexus stores start`)")
            stores.content = MongoContentStore(content_uri, timeout_s=timeout)
    except BaseException:
        stores.close()
        raise
    return stores
