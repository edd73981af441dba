"""First-run preparation for the embedded default, used by ``nexus up`` (``make run``). Each step is idempotent."""

from __future__ import annotations

import logging

from server.settings import Settings

log = logging.getLogger("nexus.setup")


def prepare(settings: Settings | None = None) -> None:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    from server.bootstrap import build_container

    container = build_container(settings)  # migrates the database, creates the dev issuer key
    container.close()
