"""Wires the interface layer (issue 7) into an app: metrics, rate limits, tracing, the notification worker.

``create_app`` calls ``install`` once and ``start``/``stop`` from its lifespan, so ``server.app`` stays a short list.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from fastapi import FastAPI

from server.auth.oidc import OIDCVerifier
from server.instrumentation import InstrumentedTurns
from server.metrics import MetricsMiddleware, metrics_of
from server.ratelimit import RateLimitMiddleware
from server.telemetry import Telemetry

if TYPE_CHECKING:
    from server.bootstrap import Container

log = logging.getLogger("nexus.interfaces")


def telemetry_of(container: Container) -> Telemetry:
    telemetry = container.extras.get("telemetry")
    if not isinstance(telemetry, Telemetry):
        settings = container.settings
        telemetry = Telemetry(settings.otel_service_name, settings.otel_exporter)
        telemetry.instrument_engine(container.db.engine)
        container.extras["telemetry"] = telemetry
    return telemetry


def install(app: FastAPI, container: Container) -> None:
    """Add the interface middleware (innermost first) and instrument the turn service."""
    metrics = metrics_of(container)
    telemetry = telemetry_of(container)
    for verifier in container.authenticator.verifiers:
        if isinstance(verifier, OIDCVerifier):
            verifier.leeway_s = container.settings.jwt_leeway_s
    if not isinstance(container.turns, InstrumentedTurns):
        container.turns = InstrumentedTurns(container.turns, metrics, telemetry)
    app.add_middleware(RateLimitMiddleware, container=container)
    app.add_middleware(MetricsMiddleware, metrics=metrics)


async def start(container: Container) -> None:
    """Background services that live as long as the app: the approval-notification worker."""
    if container.settings.notifications_enabled:
        from server.notifications.wiring import start_notifications

        start_notifications(container)
    if container.settings.slack_enabled:
        from server.slack.bot import slack_bot

        bot = slack_bot(container)
        if bot is not None and container.settings.slack_socket_mode:
            await bot.start_socket_mode()


async def stop(container: Container) -> None:
    from server.notifications.wiring import stop_notifications

    stop_notifications(container)
    bot = container.extras.get("slack_bot")
    if bot is not None:
        await bot.aclose()
