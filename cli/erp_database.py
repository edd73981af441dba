"""Shared by the ERP data commands (tenant, import, export): the database at the configured URL, migrated, and
one way to print a NexusError with every issue it lists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from erp_core.db import Database
    from erp_core.errors import NexusError

DATABASE_URL_HELP = "Database URL (default: NEXUS_DATABASE_URL / settings)."


@contextmanager
def database(database_url: str | None) -> Iterator[Database]:
    """The ERP database, brought to the current schema first (idempotent), disposed afterwards."""
    from erp_core import migrations
    from erp_core.db import Database
    from server.settings import Settings

    settings = Settings()
    if database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = database_url or settings.resolved_database_url()
    migrations.upgrade(url)
    db = Database(url)
    try:
        yield db
    finally:
        db.dispose()


def fail(command: str, err: NexusError) -> typer.Exit:
    """Print the error and each of its issues (``file:line: message``) on stderr; the caller raises the result."""
    typer.echo(f"{command}: {err.code.value}: {err.message}", err=True)
    for found in err.issues:
        typer.echo(f"  {found.message}" if found.field and found.message.startswith(found.field)
                   else f"  {found.field or '-'}: {found.message}", err=True)
    if err.candidates:
        typer.echo(f"  known: {', '.join(err.candidates)}", err=True)
    return typer.Exit(1)
