"""``nexus export journal --tenant T --format beancount|csv [--from D] [--to D] [--output FILE]``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import typer

from cli.erp_database import DATABASE_URL_HELP, database, fail


def _day(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint=flag) from None


def register(app: typer.Typer) -> None:
    export = typer.Typer(help="Take a tenant's data back out.", no_args_is_help=True)
    app.add_typer(export, name="export")

    @export.command()
    def journal(
        tenant: str = typer.Option(..., "--tenant", help="Tenant id."),
        format_: str = typer.Option("beancount", "--format", help="beancount or csv."),
        date_from: str | None = typer.Option(None, "--from", help="First date (YYYY-MM-DD)."),
        date_to: str | None = typer.Option(None, "--to", help="Last date (YYYY-MM-DD)."),
        output: Path | None = typer.Option(None, "--output", "-o", help="File to write (default: standard output)."),
        database_url: str | None = typer.Option(None, help=DATABASE_URL_HELP),
    ) -> None:
        """Write the posted ledger out: a beancount ledger (passes bean-check, balances asserted) or journal CSV
        (the import's columns)."""
        from erp_core.errors import NexusError
        from erp_core.imports.export import export_journal
        from erp_core.imports.tenants import require_tenant

        start, end = _day(date_from, "--from"), _day(date_to, "--to")
        with database(database_url) as db, db.read() as session:
            try:
                require_tenant(session, tenant)
                if output is None:
                    count = export_journal(session, tenant, sys.stdout, format_, date_from=start, date_to=end)
                else:
                    with output.open("w", encoding="utf-8", newline="") as out:
                        count = export_journal(session, tenant, out, format_, date_from=start, date_to=end)
            except NexusError as err:
                raise fail("nexus export journal", err) from None
        typer.echo(f"exported {count} entries of {tenant} as {format_}", err=True)
