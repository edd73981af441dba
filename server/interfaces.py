"""Wires the interface layer (issue 7) into an app: metrics, rate limits, the notification worker, the Slack bot.

The services themselves are built once by the composition root (``server.bootstrap``); ``create_app`` calls
``install`` once and ``start``/``stop`` from its lifespan, so ``server.app`` stays a short list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from server.metrics import MetricsMiddleware
from server.ratelimit import RateLimitMiddleware

if TYPE_CHECKING:
    from server.bootstrap import Container


def install(app: FastAPI, container: Container) -> None:
    """Add the interface middleware (innermost first)."""
    app.add_middleware(RateLimitMiddleware, limits=container.rate_limits, authenticator=container.authenticator,
                       metrics=container.metrics)
    app.add_middleware(MetricsMiddleware, metrics=container.metrics)


async def start(container: Container) -> None:
    """Background services that live as long as the app: the approval-notification worker, Slack's Socket Mode."""
    if container.settings.notifications_enabled:
        container.notifications().start()
    if container.slack_bot is not None:
        bot = container.slack_bot()
        if container.settings.slack_socket_mode:
            await bot.start_socket_mode()


async def stop(container: Container) -> None:
    if container.notifications.ready:
        container.notifications().stop()
    if container.slack_bot is not None and container.slack_bot.ready:
        await container.slack_bot().aclose()
