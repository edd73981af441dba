"""Builds the notification service and the widget's event hub for a container (once each)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.interface_db import ensure_tables
from server.metrics import metrics_of
from server.notifications.channels import Channel, SlackDMChannel, WidgetChannel
from server.notifications.hub import EventHub
from server.notifications.service import NotificationService

if TYPE_CHECKING:
    from server.bootstrap import Container


def event_hub(container: Container) -> EventHub:
    hub = container.extras.get("event_hub")
    if not isinstance(hub, EventHub):
        hub = EventHub()
        container.extras["event_hub"] = hub
    return hub


def build_notifications(container: Container) -> NotificationService:
    """The container's notification service (built once): widget badge always, Slack DMs when Slack is set up."""
    existing = container.extras.get("notifications")
    if isinstance(existing, NotificationService):
        return existing
    settings = container.settings
    ensure_tables(container.db)
    channels: list[Channel] = [WidgetChannel(container.db, event_hub(container))]
    wants: dict[str, object] = {}
    if settings.slack_enabled:
        from server.slack.identity import SlackDirectory, web_client

        directory = SlackDirectory(settings.slack_user_map)
        channels.append(SlackDMChannel(web_client(settings), directory))
        wants["slack"] = lambda user: directory.slack_id_of(user) is not None
    service = NotificationService(container.db, channels, metrics=metrics_of(container), poll_s=settings.notify_poll_s,
                                  max_backoff_s=settings.notify_max_backoff_s, wants_channel=wants)
    container.extras["notifications"] = service
    return service


def start_notifications(container: Container) -> None:
    build_notifications(container).start()


def stop_notifications(container: Container) -> None:
    service = container.extras.get("notifications")
    if isinstance(service, NotificationService):
        service.stop()
