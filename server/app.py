"""FastAPI application factory."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI

from server import heap, interfaces
from server.bootstrap import Container
from server.errors import install_error_handlers
from server.limits import MaxBodySizeMiddleware
from server.logging_setup import RequestIdMiddleware
from server.routes import ROUTERS

log = logging.getLogger("nexus.server")


def announce_auth(container: Container) -> None:
    """Say loudly which issuers are trusted: a dev issuer on a shared host would be a hole."""
    settings = container.settings
    if container.dev_issuer is not None:
        log.warning("*** LOCAL DEV TOKEN ISSUER ENABLED (iss=%s, bound to %s) — anyone who can run `nexus token` on "
                    "this machine can act as any user. Use OIDC (NEXUS_OIDC_SERVER_URL) for shared deployments. ***",
                    settings.dev_issuer, settings.host)
    if settings.oidc_enabled():
        log.info("OIDC issuer trusted: %s realm %s", settings.oidc_server_url, settings.oidc_realm)
    if not container.authenticator.issuers and not settings.oidc_enabled():
        log.error("no token issuer is enabled: every request will get 401")


def create_app(container: Container, *, load_model: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        announce_auth(container)
        freeze = container.settings.gc_freeze
        if load_model:
            container.models.start_loading(on_loaded=partial(heap.freeze, "model load") if freeze else None)
            # Embeds the tool catalogue in the background, before the first turn needs it.
            container.router.warm(on_ready=partial(heap.freeze, "tool router warm-up") if freeze else None)
        await interfaces.start(container)
        if freeze:
            heap.freeze("start-up")
        yield
        await interfaces.stop(container)
        await container.turns.aclose()
        container.close()

    app = FastAPI(title="Nexus", version="0.1.0", lifespan=lifespan,
                  description="AI assistant for your ERP: streaming chat, OpenAI-compatible API, approvals.")
    app.state.container = container
    install_error_handlers(app)
    interfaces.install(app, container)  # metrics, rate limits, tracing (inside the request-id middleware)

    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(MaxBodySizeMiddleware, max_bytes=container.settings.max_body_bytes,
                       bulk_max_bytes=container.settings.max_batch_body_bytes)
    for name in ROUTERS:
        app.include_router(importlib.import_module(f"server.routes.{name}").router)
    return app
