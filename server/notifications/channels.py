"""Where a notification goes. ``deliver`` returns on success and raises on failure (the job is then retried)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from erp_core.identity import Actor
from server.notifications.hub import EventHub
from server.notifications.recipients import directory_actor, pending_count
from server.slack.blocks import approval_blocks

if TYPE_CHECKING:
    from slack_sdk.web.client import WebClient

    from erp_core.db import Database
    from server.notifications.store import NotificationJob
    from server.slack.identity import SlackDirectory


class ChannelDown(Exception):
    """The channel could not take the message now; the job stays pending and is retried later."""


class Channel(Protocol):
    name: str

    def deliver(self, job: NotificationJob) -> None: ...


class WidgetChannel:
    """Pushes the recipient's pending-approvals count to their open widget streams (the badge)."""

    name = "widget"

    def __init__(self, db: Database, hub: EventHub) -> None:
        self._db = db
        self._hub = hub

    def deliver(self, job: NotificationJob) -> None:
        with self._db.read() as session:
            actor = directory_actor(session, job.tenant, job.recipient) or Actor(job.recipient, job.tenant)
            count = pending_count(session, actor)
        self._hub.publish(job.tenant, job.recipient, badge_event(count, job.data))


def badge_event(count: int, approval: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"pending": count}
    if approval:
        data["approval"] = {k: approval.get(k) for k in ("id", "summary", "amount", "currency", "document_type")}
    return {"event": "approvals", "data": data}


class SlackDMChannel:
    """A direct message with the approval card (approve/reject buttons) through the Slack Web API."""

    name = "slack"

    def __init__(self, client: WebClient, directory: SlackDirectory) -> None:
        self._client = client
        self._directory = directory

    def deliver(self, job: NotificationJob) -> None:
        from slack_sdk.errors import SlackApiError, SlackClientError

        slack_user = self._directory.slack_id_of(job.recipient)
        if slack_user is None:  # the mapping was removed since the job was queued: nothing to send any more
            return
        view = job.data
        try:
            dm = self._client.conversations_open(users=slack_user)
            channel = dm["channel"]["id"]
            self._client.chat_postMessage(channel=channel, text=f"Approval needed: {view.get('summary', '')}",
                                          blocks=approval_blocks(view))
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise ChannelDown(f"slack: {type(exc).__name__}: {str(exc)[:200]}") from exc
