"""``nexus audit verify``: walk every tenant's hash chain and name the first broken record."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    audit = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)
    app.add_typer(audit, name="audit")

    @audit.command()
    def verify(
        tenant: str | None = typer.Option(None, help="Check one tenant's chain (default: every tenant)."),
        database_url: str | None = typer.Option(None, help="Database URL (default: NEXUS_DATABASE_URL / settings)."),
    ) -> None:
        """Exit 0 when every chain is intact; otherwise print each broken chain's first bad record and exit 1."""
        from erp_core.audit import verify_chain
        from erp_core.db import Database
        from server.settings import Settings

        db = Database(database_url or Settings().resolved_database_url())
        try:
            with db.read() as session:
                issues = verify_chain(session, tenant)
                from sqlalchemy import func, select

                from erp_core.audit import AuditRecord

                count_stmt = select(func.count()).select_from(AuditRecord)
                if tenant is not None:
                    count_stmt = count_stmt.where(AuditRecord.tenant == tenant)
                checked = session.scalar(count_stmt) or 0
        finally:
            db.dispose()
        if issues:
            for issue in issues:
                typer.echo(f"BROKEN {issue.code}: {issue.message} [{issue.field}]", err=True)
            raise typer.Exit(1)
        typer.echo(f"audit chain intact: {checked} records verified")
