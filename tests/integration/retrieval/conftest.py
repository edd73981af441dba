"""Real store servers for the retrieval tests, started once per session on free 127.0.0.1 ports.

- ArcadeDB with its Bolt plugin (``arcadedb-embedded``), reached with the official neo4j driver;
- nx-27017 (MongoDB wire protocol), reached with pymongo;
- ``milvus-lite server`` for the server-mode VectorStore, next to Milvus Lite opened in-process;
- the packaged all-MiniLM-L6-v2 embedder and the demo corpus indexed once into an in-process Milvus Lite db.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.servers.local import LocalStoreConfig, graph_spec, milvus_spec, mongo_spec
from retrieval.servers.supervisor import ManagedServer, free_port

CORPUS = Path(__file__).resolve().parents[3] / "retrieval" / "corpus"
GRAPH_PASSWORD = "nexus-test-graph"


@pytest.fixture(scope="session")
def store_config(tmp_path_factory: pytest.TempPathFactory) -> LocalStoreConfig:
    return LocalStoreConfig(data_dir=tmp_path_factory.mktemp("stores"), graph_port=free_port(),
                            mongo_port=free_port(), milvus_port=free_port(), graph_password=GRAPH_PASSWORD,
                            start_timeout_s=120)


@pytest.fixture(scope="session")
def graph_server(store_config: LocalStoreConfig) -> Iterator[ManagedServer]:
    with ManagedServer(graph_spec(store_config)) as server:
        yield server


@pytest.fixture(scope="session")
def mongo_server(store_config: LocalStoreConfig) -> Iterator[ManagedServer]:
    with ManagedServer(mongo_spec(store_config)) as server:
        yield server


@pytest.fixture(scope="session")
def milvus_server(store_config: LocalStoreConfig) -> Iterator[ManagedServer]:
    with ManagedServer(milvus_spec(store_config)) as server:
        yield server


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    from retrieval.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(device="cpu")


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """The whole demo corpus indexed into a fresh in-process Milvus Lite db (about half a minute on 2 cores)."""
    from retrieval.indexing.pipeline import index_corpus
    from retrieval.milvus_store import MilvusVectorStore

    store = MilvusVectorStore(str(tmp_path_factory.mktemp("demo-index") / "milvus.db"), embedder.dimension)
    report = index_corpus(CORPUS, store, device="cpu")
    assert len(report.added) >= 40
    yield store
    store.close()


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    """A copy of four demo documents (md, html, pdf, docx) with their own manifest, for re-index tests."""
    folder = tmp_path / "corpus" / "acme"
    folder.mkdir(parents=True)
    for name in ("travel-expense-policy.md", "benefits-overview.html", "journal-entry-guidelines.pdf",
                 "remote-work-policy.docx"):
        shutil.copy(CORPUS / "acme" / name, folder / name)
    (folder / "manifest.yaml").write_text(
        "tenant: acme\nsource: small\ndocuments:\n"
        "  - {id: t-travel, file: travel-expense-policy.md, title: Travel, type: policy, acl: [all]}\n"
        "  - {id: t-benefits, file: benefits-overview.html, title: Benefits, type: policy, acl: [all]}\n"
        "  - {id: t-journal, file: journal-entry-guidelines.pdf, title: Journal Entries, type: guide, "
        "acl: [finance]}\n"
        "  - {id: t-remote, file: remote-work-policy.docx, title: Remote Work, type: policy, acl: [all]}\n",
        encoding="utf-8")
    return folder
