"""``nexus seed``: build the demo company (two tenants) in the configured database, with a progress bar."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import typer


def _run(size: str, seed: int, as_of: dt.date, database_url: str | None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from cli.erp_database import database
    from erp_core.errors import NexusError
    from erp_core.seed.runner import seed_demo

    started = time.perf_counter()
    columns: list[Any] = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    try:
        with database(database_url) as db, Progress(*columns, transient=False) as bar:
            tasks: dict[str, Any] = {}

            def report(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done)

            summaries = seed_demo(db, size=size, seed=seed, as_of=as_of, progress=report)
    except NexusError as err:
        typer.echo(f"nexus seed: {err.message}", err=True)
        raise typer.Exit(1) from None
    for s in summaries:
        typer.echo(f"{s.tenant}: {s.entries} journal entries ({s.planted} planted anomalies), {s.employees} "
                   f"employees, {s.customers} customers, {s.vendors} vendors, {s.opportunities} opportunities, "
                   f"{s.tickets} tickets, {s.budgets} budget lines")
    typer.echo(f"seeded size={size} seed={seed} as-of={as_of.isoformat()} in {time.perf_counter() - started:.1f}s")


def register(app: typer.Typer) -> None:
    @app.command()
    def seed(
        size: str = typer.Option("small", help="small, medium or large."),
        seed: int = typer.Option(42, help="Random seed: the same seed gives the same company."),
        as_of: str = typer.Option("2026-10-31", help="Last day of history (YYYY-MM-DD)."),
        database_url: str | None = typer.Option(None, help="Database URL (default: NEXUS_DATABASE_URL / settings)."),
    ) -> None:
        """Create the demo company: two tenants with 24 months of ledger, people, customers, deals and tickets.

        Refuses (exit code 1, nothing changed) when the database already holds the demo tenants: seed a fresh
        database to start over.
        """
        if size not in ("small", "medium", "large"):
            raise typer.BadParameter("size must be small, medium or large", param_hint="--size")
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--as-of") from None
        _run(size, seed, day, database_url)
