"""First-run preparation for the embedded default, used by ``nexus up`` (``make run``).

Every step is idempotent and remembers what it did, so a second ``make run`` goes straight to serving:
migrate the database, seed the small demo company when the database is empty, index the demo documents into Milvus
Lite (again only when the corpus changed), and sync the knowledge graph once after seeding.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from rich.console import Console

from server.settings import Settings

log = logging.getLogger("nexus.setup")
console = Console(stderr=True)


def corpus_path() -> Path:
    import retrieval

    return Path(retrieval.__file__).resolve().parent / "corpus"


def _corpus_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare(settings: Settings | None = None) -> None:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    from erp_core import migrations
    from erp_core.db import Database

    url = settings.resolved_database_url()
    migrations.upgrade(url)
    db = Database(url)
    try:
        seeded = _seed(db)
        _index(settings)
        if seeded or not (settings.data_dir / ".graph-synced").exists():
            _sync_graph(settings, db)
    finally:
        db.dispose()


def _seed(db: object) -> bool:
    from typing import Any

    from rich.progress import Progress

    from erp_core.seed.runner import seed_if_empty

    with Progress(console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def report(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done)

        summaries = seed_if_empty(db, size="small", progress=report)  # type: ignore[arg-type]
    for s in summaries:
        console.print(f"seeded demo tenant {s.tenant}: {s.entries} journal entries, {s.employees} employees, "
                      f"{s.customers} customers")
    return bool(summaries)


def _index(settings: Settings) -> None:
    root = corpus_path()
    marker = settings.data_dir / f".indexed-{_corpus_digest(root)}"
    if marker.exists():
        return
    from retrieval.indexing.pipeline import index_corpus
    from retrieval.stores import open_stores
    from server.retrieval_wiring import retrieval_config

    console.print("indexing the demo documents (first run only)…")
    stores = open_stores(retrieval_config(settings), vector=True, graph=False, content=True)
    try:
        report = index_corpus(root, stores.vector, stores.content, model_path=settings.embedding_model_path,
                              device=settings.embedding_device)
    finally:
        stores.close()
    console.print(report.summary())
    for old in settings.data_dir.glob(".indexed-*"):
        old.unlink()
    marker.touch()


def _sync_graph(settings: Settings, db: object) -> None:
    from sqlalchemy import select

    from erp_core.errors import NexusError
    from erp_core.tenancy import Tenant
    from retrieval.graph.sync import sync_graph
    from retrieval.stores import open_stores
    from server.retrieval_wiring import retrieval_config

    try:
        stores = open_stores(retrieval_config(settings), vector=False, graph=True, content=True)
    except NexusError as exc:  # the assistant works without the graph; graph questions say it is unavailable
        console.print(f"[yellow]knowledge graph not synced: {exc}[/yellow]")
        return
    try:
        with db.read() as session:  # type: ignore[attr-defined]
            for tenant in session.scalars(select(Tenant.id)):
                sync_graph(session, stores.graph, tenant, stores.content)
    finally:
        stores.close()
    (settings.data_dir / ".graph-synced").touch()
    console.print("knowledge graph synced")
