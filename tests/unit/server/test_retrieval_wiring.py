"""Retrieval's typed configuration comes from the server's Settings in one place, and carries what the local store
servers need."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from server.retrieval_wiring import retrieval_config
from server.settings import Settings


def test_settings_map_onto_the_retrieval_config(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, graph_uri="bolt://graph:7687", graph_password=SecretStr("s3cret"),
                        local_mongo_port=27999, store_timeout_s=1.5, store_start_timeout_s=12.0,
                        milvus_collection="chunks")
    config = retrieval_config(settings)
    assert (config.data_dir, config.graph_uri, config.graph_password) == (tmp_path, "bolt://graph:7687", "s3cret")
    assert (config.timeout_s, config.milvus_collection, config.mongo_uri) == (1.5, "chunks", None)
    assert "s3cret" not in repr(config)
    local = config.local
    assert (local.data_dir, local.mongo_port, local.graph_port) == (tmp_path, 27999, settings.local_graph_port)
    assert (local.graph_password, local.start_timeout_s) == ("s3cret", 12.0)
