"""What retrieval needs to open its stores: one frozen, typed configuration. The server builds it from its Settings
in one place (``server.agent_wiring.retrieval_config``); retrieval never reads the server's Settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from retrieval.servers.local import LocalStoreConfig


@dataclass(frozen=True)
class RetrievalConfig:
    data_dir: Path  # embedded stores (Milvus Lite file, local servers' homes and run records)
    milvus_uri: str | None  # None: a recorded milvus-lite server, else the Milvus Lite file in data_dir
    milvus_collection: str
    graph_uri: str | None  # None: the local ArcadeDB Bolt server
    graph_user: str
    graph_password: str = field(repr=False)
    graph_database: str
    mongo_uri: str | None  # None: the local nx-27017 server
    local_graph_port: int
    local_mongo_port: int
    local_milvus_port: int
    timeout_s: float  # connect/select timeout of the store clients
    start_timeout_s: float  # how long a local store server may take to start
    embedding_model_path: Path | None  # None: the default all-MiniLM-L6-v2
    embedding_device: str  # cpu, cuda or auto

    @property
    def local(self) -> LocalStoreConfig:
        """What the local store servers need (ports, home, the graph's database and password)."""
        return LocalStoreConfig(data_dir=self.data_dir, graph_port=self.local_graph_port,
                                mongo_port=self.local_mongo_port, milvus_port=self.local_milvus_port,
                                graph_password=self.graph_password, graph_database=self.graph_database,
                                start_timeout_s=self.start_timeout_s)
