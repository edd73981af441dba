"""``nexus stores start|stop|status``: the local store servers (ArcadeDB Bolt, nx-27017, milvus-lite server).

Started servers run in the background and are found by every later ``nexus`` process and by the API server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from retrieval.servers.local import LocalStoreConfig

_WHICH_HELP = "Stores to act on: graph, mongo, milvus (default: all)."


def register(app: typer.Typer) -> None:
    stores = typer.Typer(help="Local store servers for the embedded default.", no_args_is_help=True)
    app.add_typer(stores, name="stores")

    def _config() -> LocalStoreConfig:
        from server.retrieval_wiring import retrieval_config
        from server.settings import Settings

        return retrieval_config(Settings()).local

    def _names(which: list[str] | None) -> list[str]:
        from retrieval.servers.local import STORE_NAMES

        chosen = which or list(STORE_NAMES)
        unknown = [n for n in chosen if n not in STORE_NAMES]
        if unknown:
            raise typer.BadParameter(f"unknown store(s) {unknown}; choose from {list(STORE_NAMES)}")
        return chosen

    @stores.command()
    def start(which: list[str] | None = typer.Argument(None, help=_WHICH_HELP)) -> None:
        """Start the local servers in the background (no-op for those already running)."""
        from erp_core.errors import NexusError
        from retrieval.servers.local import start_detached

        cfg = _config()
        for name in _names(which):
            try:
                record = start_detached(cfg, name)  # type: ignore[arg-type]
            except NexusError as exc:
                typer.echo(f"{name}: {exc.message}", err=True)
                raise typer.Exit(1) from exc
            typer.echo(f"{name}: running at {record['uri']} (pid {record['pid']})")

    @stores.command()
    def stop(which: list[str] | None = typer.Argument(None, help=_WHICH_HELP)) -> None:
        """Stop local servers started by `nexus stores start`."""
        from retrieval.servers.local import stop_detached

        cfg = _config()
        for name in _names(which):
            typer.echo(f"{name}: {'stopped' if stop_detached(cfg, name) else 'was not running'}")  # type: ignore[arg-type]

    @stores.command()
    def status() -> None:
        """Show which local servers run and which stores are configured by URI."""
        from retrieval.servers.local import STORE_NAMES, running_server
        from server.settings import Settings

        settings = Settings()
        cfg = _config()
        configured = {"graph": settings.graph_uri, "mongo": settings.mongo_uri, "milvus": settings.milvus_uri}
        for name in STORE_NAMES:
            record = running_server(cfg, name)
            if configured[name]:
                typer.echo(f"{name}: configured URI {configured[name]}")
            elif record:
                typer.echo(f"{name}: local server at {record['uri']} (pid {record['pid']})")
            elif name == "milvus":
                typer.echo(f"{name}: Milvus Lite in-process ({cfg.milvus_lite_path})")
            else:
                typer.echo(f"{name}: not running (started on demand; `nexus stores start` to keep it up)")
