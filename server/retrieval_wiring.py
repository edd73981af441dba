"""Retrieval's typed configuration from the server's Settings, in one place. A module of its own, light to import:
the store commands of the CLI (``nexus stores``, ``nexus graph``) need it without the agent."""

from __future__ import annotations

from retrieval.config import RetrievalConfig
from server.settings import Settings


def retrieval_config(settings: Settings) -> RetrievalConfig:
    """Retrieval's configuration from the server's Settings (data dir, store URIs and local ports, graph credentials,
    timeouts, the embedding model): the one place the two meet."""
    return RetrievalConfig(
        data_dir=settings.data_dir, milvus_uri=settings.milvus_uri, milvus_collection=settings.milvus_collection,
        graph_uri=settings.graph_uri, graph_user=settings.graph_user,
        graph_password=settings.graph_password.get_secret_value(), graph_database=settings.graph_database,
        mongo_uri=settings.mongo_uri, local_graph_port=settings.local_graph_port,
        local_mongo_port=settings.local_mongo_port, local_milvus_port=settings.local_milvus_port,
        timeout_s=settings.store_timeout_s, start_timeout_s=settings.store_start_timeout_s,
        embedding_model_path=settings.embedding_model_path, embedding_device=settings.embedding_device)
