"""ASGI entry point for uvicorn (``server.asgi:create`` with ``factory=True``): one app per worker process."""

from __future__ import annotations

from fastapi import FastAPI

from server.app import create_app
from server.bootstrap import build_container
from server.logging_setup import configure
from server.settings import Settings


def create() -> FastAPI:
    settings = Settings()
    configure(settings.log_level, json_lines=settings.log_json)
    return create_app(build_container(settings))
