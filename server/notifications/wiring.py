"""Builds the approval-notification service from settings: the widget badge always, Slack DMs when Slack is set up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.interface_db import ensure_tables
from server.notifications.channels import Channel, SlackDMChannel, WidgetChannel
from server.notifications.service import NotificationService

if TYPE_CHECKING:
    from erp_core.db import Database
    from server.metrics import Metrics
    from server.notifications.hub import EventHub
    from server.settings import Settings


def build_notifications(settings: Settings, db: Database, hub: EventHub, metrics: Metrics) -> NotificationService:
    """The service over its tables (created here when missing); its worker thread starts with the app."""
    ensure_tables(db)
    channels: list[Channel] = [WidgetChannel(db, hub)]
    wants: dict[str, object] = {}
    if settings.slack_enabled:
        from server.slack.identity import SlackDirectory, web_client

        directory = SlackDirectory(settings.slack_user_map)
        channels.append(SlackDMChannel(web_client(settings), directory))
        wants["slack"] = lambda user: directory.slack_id_of(user) is not None
    return NotificationService(db, channels, metrics=metrics, poll_s=settings.notify_poll_s,
                               max_backoff_s=settings.notify_max_backoff_s, wants_channel=wants)
