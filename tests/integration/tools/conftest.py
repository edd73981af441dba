"""Helpers and real stores for the tool tests: tools run against the seeded demo company (``demo_db``), document search
against a few demo documents indexed into Milvus Lite, graph queries against ArcadeDB over Bolt synced from the seed."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from erp_core.db import Database
from erp_core.identity import Actor
from tools.catalog import load_all
from tools.context import ToolContext
from tools.output import ToolOutput

TODAY = dt.date(2026, 11, 16)
CORPUS = Path(__file__).resolve().parents[3] / "retrieval" / "corpus"
GRAPH_PASSWORD = "nexus-tools-graph"


def acme(user: str, roles: str = "") -> Actor:
    """A demo user of acme; every demo user also holds ``employee``."""
    return Actor.of(f"{user}@acme", "acme", f"{roles},employee" if roles else "employee")


def run_tool(db: Database, actor: Actor, name: str, args: dict[str, Any], **context: Any) -> ToolOutput:
    """Validate ``args`` against the tool's schema and run it as the agent would."""
    spec = load_all().get(name)
    ctx = ToolContext(actor=actor, db=db, today=TODAY, thread_id="tools-test", **context)
    return spec.run(ctx, spec.args.model_validate(args))


@pytest.fixture(scope="session")
def seeded_read_db(demo_db_template: object) -> Iterator[Database]:
    """The session's seeded template opened for reading only (tests that write use ``demo_db``)."""
    db = Database(f"sqlite:///{demo_db_template}")
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def doc_search(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Iterator[Any]:
    """Three acme documents (two for everyone, one HR-only) indexed into a fresh Milvus Lite db."""
    from retrieval.indexing.pipeline import index_corpus
    from retrieval.milvus_store import MilvusVectorStore
    from retrieval.search import DocumentSearch

    folder = tmp_path_factory.mktemp("tools-corpus") / "acme"
    folder.mkdir()
    for name in ("travel-expense-policy.md", "leave-policy.md", "hr-compensation-bands.md"):
        shutil.copy(CORPUS / "acme" / name, folder / name)
    (folder / "manifest.yaml").write_text(
        "tenant: acme\nsource: tools-test\ndocuments:\n"
        "  - {id: acme-travel-expense-policy, file: travel-expense-policy.md, title: Travel and Expense Policy, "
        "type: policy, acl: [all]}\n"
        "  - {id: acme-leave-policy, file: leave-policy.md, title: Leave Policy, type: policy, acl: [all]}\n"
        "  - {id: acme-hr-compensation-bands, file: hr-compensation-bands.md, title: Compensation Bands 2026, "
        "type: hr, acl: [hr]}\n", encoding="utf-8")
    store = MilvusVectorStore(str(tmp_path_factory.mktemp("tools-index") / "milvus.db"), embedder.dimension)
    index_corpus(folder, store, device="cpu")
    yield DocumentSearch(store, embedder)
    store.close()


@pytest.fixture(scope="session")
def graph_store(tmp_path_factory: pytest.TempPathFactory, seeded_read_db: Database) -> Iterator[Any]:
    """ArcadeDB (Bolt) on a free loopback port, holding the acme tenant synced from the seeded company."""
    from retrieval.graph.bolt_store import BoltGraphStore
    from retrieval.graph.sync import sync_graph
    from retrieval.servers.local import LocalStoreConfig, graph_spec
    from retrieval.servers.supervisor import ManagedServer, free_port

    config = LocalStoreConfig(data_dir=tmp_path_factory.mktemp("tools-graph"), graph_port=free_port(),
                              graph_password=GRAPH_PASSWORD, start_timeout_s=120)
    with ManagedServer(graph_spec(config)) as server:
        store = BoltGraphStore(server.uri, "root", GRAPH_PASSWORD)
        with seeded_read_db.read() as session:
            sync_graph(session, store, "acme")
        yield store
        store.close()
