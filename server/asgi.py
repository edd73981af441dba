"""ASGI entry point for uvicorn (``server.asgi:create`` with ``factory=True``): one app per worker process."""

from __future__ import annotations

from server.offline import keep_offline

keep_offline()  # before FastAPI, Haystack or the hub client are imported: they read it at import time

from fastapi import FastAPI  # noqa: E402

from server.app import create_app  # noqa: E402
from server.bootstrap import build_container  # noqa: E402
from server.logging_setup import configure  # noqa: E402
from server.settings import Settings  # noqa: E402


def create() -> FastAPI:
    settings = Settings()
    configure(settings.log_level, json_lines=settings.log_json)
    return create_app(build_container(settings))
