"""``nexus import accounts|journal|customers|vendors|employees|budgets FILE --tenant T``: a company's own data in.

Every command reads the whole file, prints every problem as ``file:line: message`` and writes nothing when any is
found (exit code 1). Master data that the knowledge graph projects (accounts, customers, vendors, employees) is
re-synced into the graph afterwards when the graph store is reachable; the resolvers read the database and know the
new names at once either way.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cli.erp_database import DATABASE_URL_HELP, database, fail

if TYPE_CHECKING:
    from erp_core.db import Database

#: roles the importing user acts with for master data (the file is the authority, the CLI user the operator)
MASTER_DATA_ROLES = "admin,controller,accountant,hr"


def _preparer(tenant: str, as_user: str | None) -> str:
    return as_user or f"import@{tenant}"


def _sync_graph(db: Database, tenant: str) -> None:
    """Re-project the tenant into the knowledge graph, if a graph store is running (never starts one)."""
    from erp_core.errors import NexusError
    from retrieval.graph.sync import sync_graph
    from retrieval.stores import open_stores
    from server.retrieval_wiring import retrieval_config
    from server.settings import Settings

    try:
        stores = open_stores(retrieval_config(Settings()), vector=False, graph=True, content=False,
                             start_local=False)
    except NexusError as err:
        typer.echo(f"knowledge graph not synced ({err.message}); run `nexus graph sync --tenant {tenant}` once the "
                   "graph store runs", err=True)
        return
    try:
        with db.read() as session:
            counts = sync_graph(session, stores.graph, tenant)
        typer.echo("knowledge graph re-synced: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    except NexusError as err:
        typer.echo(f"knowledge graph not synced: {err.message}", err=True)
    finally:
        stores.close()


def _master_data(kind: str, path: Path, tenant: str, as_user: str | None, database_url: str | None,
                 sync: bool) -> None:
    from erp_core.errors import NexusError
    from erp_core.identity import Actor
    from erp_core.imports import budgets, parties, people
    from erp_core.imports.tenants import require_tenant

    actor = Actor.of(_preparer(tenant, as_user), tenant, MASTER_DATA_ROLES)
    started = time.perf_counter()
    with database(database_url) as db:
        try:
            with db.unit_of_work() as session:
                require_tenant(session, tenant)
                if kind in ("customer", "vendor"):
                    summary = parties.import_parties(kind, path, actor, session)  # type: ignore[arg-type]
                elif kind == "employee":
                    summary = people.import_employees(path, actor, session)
                else:
                    summary = budgets.import_budgets(path, actor, session)
        except NexusError as err:
            raise fail(f"nexus import {kind}s", err) from None
        typer.echo(f"{path}: {summary.text()} in {time.perf_counter() - started:.2f} s")
        if sync:
            _sync_graph(db, tenant)


def register(app: typer.Typer) -> None:
    imp = typer.Typer(help="Bring a company's own data in (all or nothing per file).", no_args_is_help=True)
    app.add_typer(imp, name="import")
    tenant_opt = typer.Option(..., "--tenant", help="Tenant id (create it with `nexus tenant create`).")
    as_opt = typer.Option(None, "--as", help="User recorded as the importer (default import@<tenant>).")
    sync_opt = typer.Option(True, "--sync-graph/--no-sync-graph", help="Re-sync the knowledge graph afterwards.")
    db_opt = typer.Option(None, help=DATABASE_URL_HELP)

    @imp.command()
    def accounts(
        file: Path = typer.Argument(..., metavar="FILE.csv", help="Columns code,name,type,parent."),
        tenant: str = tenant_opt, as_user: str | None = as_opt, sync_graph: bool = sync_opt,
        database_url: str | None = db_opt,
    ) -> None:
        """A chart of accounts: type is asset, liability, equity, revenue or expense; accounts named as a parent
        are headers."""
        from erp_core.errors import NexusError
        from erp_core.identity import Actor
        from erp_core.imports.accounts import import_accounts
        from erp_core.imports.tenants import require_tenant

        actor = Actor.of(_preparer(tenant, as_user), tenant, "admin,controller")
        with database(database_url) as db:
            try:
                with db.unit_of_work() as session:
                    require_tenant(session, tenant)
                    summary = import_accounts(file, actor, session)
            except NexusError as err:
                raise fail("nexus import accounts", err) from None
            typer.echo(f"{file}: accounts: {summary.created} created, {summary.unchanged} unchanged")
            if sync_graph:
                _sync_graph(db, tenant)

    @imp.command()
    def journal(
        file: Path = typer.Argument(..., metavar="FILE", help=".csv (date,entry,account_code,debit,credit,currency,"
                                                              "memo) or .beancount."),
        tenant: str = tenant_opt,
        approve_as: str = typer.Option(..., "--approve-as", help="User who approves the whole batch (not the "
                                                                 "preparer)."),
        as_user: str | None = as_opt,
        approver_roles: str = typer.Option("controller", "--approver-roles",
                                           help="Comma-separated roles the approver acts with."),
        database_url: str | None = db_opt,
    ) -> None:
        """Ledger history as one approved batch: every problem reported with file:line, nothing written unless
        all is valid; a re-run changes nothing."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from erp_core.errors import NexusError
        from erp_core.identity import Actor
        from erp_core.imports.journal import import_journal
        from erp_core.imports.tenants import require_tenant

        roles = [r.strip() for r in approver_roles.split(",") if r.strip()]
        if not roles:
            raise typer.BadParameter("name at least one role", param_hint="--approver-roles")
        approver = Actor.of(approve_as, tenant, roles)
        columns: list[Any] = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                              TimeElapsedColumn()]
        with database(database_url) as db:
            try:
                with Progress(*columns, transient=False) as bar, db.unit_of_work() as session:
                    tasks: dict[str, Any] = {}

                    def report(stage: str, done: int, total: int) -> None:
                        if stage not in tasks:
                            tasks[stage] = bar.add_task(stage, total=max(total, 1))
                        bar.update(tasks[stage], completed=done if total else 1)

                    require_tenant(session, tenant)
                    summary = import_journal(file, tenant, _preparer(tenant, as_user), approver, session,
                                             progress=report)
            except NexusError as err:
                raise fail("nexus import journal", err) from None
        typer.echo(summary.text())

    def _master(kind: str, columns: str) -> None:
        @imp.command(name=f"{kind}s", help=f"{kind.capitalize()}s from a CSV file; columns: {columns}.")
        def command(
            file: Path = typer.Argument(..., metavar="FILE.csv"),
            tenant: str = tenant_opt, as_user: str | None = as_opt, sync_graph: bool = sync_opt,
            database_url: str | None = db_opt,
        ) -> None:
            _master_data(kind, file, tenant, as_user, database_url, sync_graph and kind != "budget")

    _master("customer", "code,name[,payment_terms_days,currency,industry,country,segment,owner]")
    _master("vendor", "code,name[,payment_terms_days,currency]")
    _master("employee", "employee_no,first_name,last_name,department,manager[,email,user_id,title,location,"
                        "hire_date,termination_date,level,salary_band,roles,department_name]")
    _master("budget", "year,month,department,account_code,amount[,currency]")
