"""``nexus db upgrade`` / ``nexus db current``: Alembic migrations of the ERP database."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="ERP database schema (Alembic migrations).", no_args_is_help=True)
    app.add_typer(db, name="db")

    def _url(database_url: str | None) -> str:
        from server.settings import Settings

        settings = Settings()
        if database_url is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        return database_url or settings.resolved_database_url()

    @db.command()
    def upgrade(
        revision: str = typer.Argument("head", help="Target revision."),
        database_url: str | None = typer.Option(None, help="Database URL (default: NEXUS_DATABASE_URL / settings)."),
    ) -> None:
        """Apply migrations up to REVISION (idempotent)."""
        from erp_core import migrations

        url = _url(database_url)
        migrations.upgrade(url, revision)
        typer.echo(f"database at revision {migrations.current_revision(url)}")

    @db.command()
    def current(
        database_url: str | None = typer.Option(None, help="Database URL (default: NEXUS_DATABASE_URL / settings)."),
    ) -> None:
        """Print the database's current revision."""
        from erp_core import migrations

        typer.echo(migrations.current_revision(_url(database_url)) or "empty (no revision)")
