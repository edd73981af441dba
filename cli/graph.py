"""``nexus graph sync|query|stats``: the knowledge graph synced from erp_core."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer


@contextmanager
def _opened_stores(settings: Any, content: bool) -> Iterator[Any]:
    """The graph (and content) stores, closed after; a store that cannot be opened or answer is a one-line error
    and exit status 2 (opening) or 1 (working), not a traceback."""
    from erp_core.errors import NexusError
    from retrieval.stores import open_stores
    from server.retrieval_wiring import retrieval_config

    try:
        stores = open_stores(retrieval_config(settings), vector=False, content=content)
    except NexusError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        yield stores
    except NexusError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        stores.close()


def register(app: typer.Typer) -> None:
    graph = typer.Typer(help="Knowledge graph (Bolt: local ArcadeDB or Neo4j).", no_args_is_help=True)
    app.add_typer(graph, name="graph")

    def _tenants(session: object, tenant: str | None) -> list[str]:
        from sqlalchemy import select

        from erp_core.tenancy import Tenant

        if tenant:
            return [tenant]
        return list(session.scalars(select(Tenant.id).order_by(Tenant.id)))  # type: ignore[attr-defined]

    @graph.command()
    def sync(
        tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant (default: every tenant)."),
        documents: bool = typer.Option(True, help="Link documents from the content store (MENTIONS)."),
    ) -> None:
        """Project employees, departments, accounts, customers, vendors, opportunities, approval rules and
        documents into the graph. Idempotent: a second run changes nothing."""
        from erp_core.db import Database
        from retrieval.graph.sync import sync_graph
        from server.settings import Settings

        settings = Settings()
        database = Database(settings.resolved_database_url())
        with _opened_stores(settings, content=documents) as stores, database.read() as session:
            for name in _tenants(session, tenant):
                counts = sync_graph(session, stores.graph, name, stores.content)
                typer.echo(f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

    @graph.command()
    def query(
        name: str = typer.Argument(..., help="A named query (see `nexus graph queries`)."),
        tenant: str = typer.Option(..., "--tenant"),
        param: list[str] = typer.Option([], "--param", "-p", help="key=value; JSON values allowed (lists, numbers)."),
    ) -> None:
        """Run one named, parameterised query and print the rows as JSON."""
        from server.settings import Settings

        params = {}
        for item in param:
            key, _, raw = item.partition("=")
            try:
                params[key] = json.loads(raw)
            except ValueError:
                params[key] = raw
        with _opened_stores(Settings(), content=False) as stores:
            typer.echo(json.dumps(stores.graph.run_named(name, tenant, **params), indent=2, default=str))

    @graph.command()
    def queries() -> None:
        """List the named queries and their parameters."""
        from retrieval.graph.queries import NAMED_QUERIES

        for q in NAMED_QUERIES.values():
            typer.echo(f"{q.name}({', '.join(q.params)}): {q.description}")
