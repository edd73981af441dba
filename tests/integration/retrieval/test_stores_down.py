"""A store that is down gives STORE_UNAVAILABLE quickly, never a hang."""

from __future__ import annotations

import time

import pytest

from erp_core.errors import ErrorCode, NexusError
from retrieval.servers.supervisor import free_port


def _refused(factory) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    with pytest.raises(NexusError) as err:
        factory()
    assert err.value.code is ErrorCode.STORE_UNAVAILABLE
    assert err.value.retryable
    return time.monotonic() - started


def test_graph_store_down() -> None:
    from retrieval.graph.bolt_store import BoltGraphStore

    port = free_port()
    _refused(lambda: BoltGraphStore(f"bolt://127.0.0.1:{port}", "root", "pw", timeout_s=1))


def test_content_store_down() -> None:
    from retrieval.content_store import MongoContentStore

    port = free_port()
    _refused(lambda: MongoContentStore(f"mongodb://127.0.0.1:{port}/", timeout_s=1))


def test_vector_store_down() -> None:
    from retrieval.milvus_store import MilvusVectorStore

    port = free_port()
    _refused(lambda: MilvusVectorStore(f"http://127.0.0.1:{port}", 8, timeout_s=2))


def test_server_that_cannot_start_reports_its_log(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sys

    from retrieval.servers.supervisor import ManagedServer, ServerSpec

    spec = ServerSpec(name="broken", argv=[sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)"],
                      cwd=tmp_path, port=free_port(), uri="x://", start_timeout_s=10)
    with pytest.raises(NexusError) as err:
        ManagedServer(spec).start()
    assert err.value.code is ErrorCode.STORE_UNAVAILABLE
    assert "status 3" in err.value.message and "bad config" in err.value.message
