"""Milvus Lite's channel: no idle keepalive pings (its server answers them with GOAWAY "too_many_pings"), and a
search whose channel was dropped reconnects once instead of reporting the store down for good."""

from __future__ import annotations

from pathlib import Path

from retrieval.milvus_store import MilvusVectorStore
from retrieval.ports import AccessScope


def test_a_dropped_channel_is_reopened_by_the_next_search(tmp_path: Path) -> None:
    store = MilvusVectorStore(str(tmp_path / "lite.db"), 4, "chunks")
    try:
        options = store._client._get_connection()._grpc_options
        assert options["grpc.keepalive_permit_without_calls"] is False
        assert options["grpc.keepalive_time_ms"] >= 300_000
        store._client.close()  # the channel goes away under the store, as after a GOAWAY it could not recover from
        assert store.search(AccessScope(tenant="acme", groups=frozenset({"all"})), mode="keyword", k=3,
                            query="hotel") == []
    finally:
        store.close()
