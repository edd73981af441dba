"""``nexus tenant create ID --name NAME --currency CUR [--fiscal-year-start MM]`` and ``nexus tenant list``."""

from __future__ import annotations

import getpass

import typer

from cli.erp_database import DATABASE_URL_HELP, database, fail


def register(app: typer.Typer) -> None:
    tenant = typer.Typer(help="Tenants: the companies this installation keeps apart.", no_args_is_help=True)
    app.add_typer(tenant, name="tenant")

    @tenant.command()
    def create(
        tenant_id: str = typer.Argument(..., metavar="ID", help="Tenant id: lowercase letters, digits, '-' or '_'."),
        name: str = typer.Option(..., "--name", help="Company name."),
        currency: str = typer.Option(..., "--currency", help="Functional currency (ISO 4217, e.g. USD)."),
        fiscal_year_start: int = typer.Option(1, "--fiscal-year-start", metavar="MM",
                                              help="First month of the fiscal year, 1-12."),
        database_url: str | None = typer.Option(None, help=DATABASE_URL_HELP),
    ) -> None:
        """Create a tenant with its functional currency and the default approval policy."""
        from erp_core.errors import NexusError
        from erp_core.identity import Actor
        from erp_core.imports.tenants import create_tenant

        actor = Actor.of(f"{getpass.getuser()}@cli", tenant_id, "admin")
        with database(database_url) as db:
            try:
                with db.unit_of_work() as session:
                    view = create_tenant(session, actor, tenant_id, name, currency.upper(), fiscal_year_start)
            except NexusError as err:
                raise fail("nexus tenant create", err) from None
        typer.echo(f"created tenant {view.id}: {view.name}, {view.currency}, fiscal year from month "
                   f"{view.fiscal_year_start:02d}")

    @tenant.command("list")
    def list_(
        database_url: str | None = typer.Option(None, help=DATABASE_URL_HELP),
    ) -> None:
        """List the tenants: id, currency, fiscal-year start and name."""
        from erp_core.imports.tenants import list_tenants

        with database(database_url) as db, db.read() as session:
            tenants = list_tenants(session)
        if not tenants:
            typer.echo("no tenants yet: `nexus tenant create ID --name NAME --currency CUR`")
        for view in tenants:
            typer.echo(f"{view.id}\t{view.currency}\tFY from {view.fiscal_year_start:02d}\t{view.name}")
