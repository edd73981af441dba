"""``nexus serve`` (the HTTP server) and ``nexus up`` (what `make run` does: prepare everything, then serve)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from server.settings import Settings


def _serve(host: str | None, port: int | None, workers: int | None) -> None:
    import uvicorn

    from server.settings import Settings

    # Workers re-read settings from the environment, so flags travel as NEXUS_ variables.
    for key, value in (("NEXUS_HOST", host), ("NEXUS_PORT", port), ("NEXUS_WORKERS", workers)):
        if value is not None:
            os.environ[key] = str(value)
    settings = Settings()
    _check_model_runtime(settings)
    if settings.workers > 1:
        # Migrate once here: several workers migrating the same empty database at once would collide.
        from erp_core import migrations

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrations.upgrade(settings.resolved_database_url())
    typer.echo(f"Nexus serving on http://{settings.host}:{settings.port}  (widget and demo page at /, API docs at "
               f"/docs)", err=True)
    uvicorn.run("server.asgi:create", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level=settings.log_level, access_log=False,
                timeout_graceful_shutdown=5)


def _check_model_runtime(settings: Settings) -> None:
    """Decode a few tokens in a throw-away engine process before serving: a runtime that cannot run on this CPU
    (SIGILL), or a model the engine cannot drive, stops start-up here with the cause and the fix, instead of killing
    the first chat turn."""
    if settings.chat_backend != "llama_cpp":
        return
    from agent.backends.engine_process import check_runtime
    from erp_core.errors import NexusError
    from server.model_provider import engine_config

    typer.echo("Checking the model runtime (loads the model and decodes a few tokens)...", err=True)
    try:
        info = check_runtime(engine_config(settings))
    except NexusError as exc:
        typer.echo(f"Nexus cannot start: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Model runtime OK: {info['model_path']} loaded in {info['load_s']:.1f} s, "
               f"{info['probe_tokens']} tokens decoded in {info['probe_s']:.2f} s", err=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str | None = typer.Option(None, help="Bind address (default NEXUS_HOST or 127.0.0.1)."),
        port: int | None = typer.Option(None, help="Port (default NEXUS_PORT or 8000)."),
        workers: int | None = typer.Option(None, help="Worker processes (default NEXUS_WORKERS or 1)."),
    ) -> None:
        """Start the HTTP server (chat SSE, OpenAI-compatible API, approvals, widget)."""
        _serve(host, port, workers)

    @app.command()
    def up(
        host: str | None = typer.Option(None, help="Bind address."),
        port: int | None = typer.Option(None, help="Port."),
    ) -> None:
        """Prepare the embedded default (database, demo data, documents) on first run, then serve."""
        from server.setup import prepare

        prepare()
        _serve(host, port, None)
