"""``nexus outbox``: publish erp_core's domain events (the transactional outbox) to Kafka."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    outbox = typer.Typer(help="The transactional outbox and its Kafka relay.", no_args_is_help=True)
    app.add_typer(outbox, name="outbox")

    @outbox.command("relay")
    def relay(once: bool = typer.Option(False, "--once", help="Publish what is waiting, then exit.")) -> None:
        """Publish outbox events to NEXUS_KAFKA_BOOTSTRAP / NEXUS_KAFKA_TOPIC until stopped (SIGTERM)."""
        import signal
        import threading

        from erp_core.db import Database
        from server.outbox_relay import OutboxRelay, RelayConfig
        from server.settings import Settings

        settings = Settings()
        if not settings.kafka_bootstrap:
            typer.echo("error: NEXUS_KAFKA_BOOTSTRAP is not set; there is no broker to relay to", err=True)
            raise typer.Exit(2)
        db = Database(settings.resolved_database_url())
        worker = OutboxRelay(db, RelayConfig(settings.kafka_bootstrap, settings.kafka_topic,
                                             settings.outbox_batch_size))
        try:
            if once:
                typer.echo(f"published {worker.drain()} events to {settings.kafka_topic}")
                return
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            signal.signal(signal.SIGINT, lambda *_: stop.set())
            worker.run(stop, poll_s=settings.outbox_poll_s)
        finally:
            db.dispose()
