"""The Slack bot on slack-bolt's AsyncApp: app mentions, DMs, the ``/nexus`` command and approval buttons.

Every Slack user is mapped to a Nexus user (``slack_user_map``) whose roles come from the ERP directory; the bot then
acts exactly as that user would through the API: the same turn service, the same approval engine calls, the same
permission map. Bolt verifies each request's signature with the signing secret before any listener runs.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from typing import TYPE_CHECKING, Any

from erp_core import approvals
from erp_core.errors import NexusError
from erp_core.identity import Actor
from server.instrumentation import surface
from server.permissions import PermissionMap
from server.slack.blocks import APPROVE_ACTION, REJECT_ACTION, SUGGEST_ACTION, decided_blocks
from server.slack.identity import SlackDirectory, async_web_client
from server.slack.streaming import StreamingReply

if TYPE_CHECKING:
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from agent.turns import TurnService
    from erp_core.db import Database
    from server.metrics import Metrics
    from server.settings import Settings

log = logging.getLogger("nexus.slack")
MENTION = re.compile(r"<@[A-Z0-9]+>\s*")
PAST = {"approve": "approved", "reject": "rejected"}


class SlackBot:
    def __init__(self, settings: Settings, db: Database, turns: TurnService, permissions: PermissionMap,
                 metrics: Metrics) -> None:
        from slack_bolt.async_app import AsyncApp
        from slack_bolt.authorization import AuthorizeResult
        from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

        if settings.slack_signing_secret is None or settings.slack_bot_token is None:
            raise ValueError("Slack needs NEXUS_SLACK_SIGNING_SECRET and NEXUS_SLACK_BOT_TOKEN")
        self.settings = settings
        self.db = db
        self.turns = turns
        self.metrics = metrics
        self.directory = SlackDirectory(settings.slack_user_map)
        self.permissions = permissions
        self.client: AsyncWebClient = async_web_client(settings)
        # Slack answers 429 with Retry-After when we go too fast: the SDK waits and retries.
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
        bot_token = settings.slack_bot_token.get_secret_value()

        async def authorize(enterprise_id: str | None = None, team_id: str | None = None,
                            **_: Any) -> AuthorizeResult:
            # One workspace, one bot token from settings: no auth.test round trip, no installation store.
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id or settings.slack_team_id,
                                   bot_token=bot_token, bot_user_id=settings.slack_bot_user_id,
                                   bot_id=settings.slack_bot_user_id)

        self.app: AsyncApp = AsyncApp(signing_secret=settings.slack_signing_secret.get_secret_value(),
                                      client=self.client, authorize=authorize, process_before_response=False,
                                      logger=logging.getLogger("nexus.slack.bolt"))
        self.tasks: set[asyncio.Task[None]] = set()
        self._register()

    # --- listeners
    def _register(self) -> None:
        app = self.app

        @app.event("app_mention")
        async def on_mention(event: dict[str, Any]) -> None:
            text = MENTION.sub("", event.get("text", "")).strip()
            await self.answer(event["user"], text, event["channel"], event.get("thread_ts") or event["ts"])

        @app.event("message")
        async def on_message(event: dict[str, Any]) -> None:
            # Only direct messages from people; channel messages arrive as app_mention, bots are ignored.
            if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
                return
            await self.answer(event["user"], event.get("text", "").strip(), event["channel"],
                              event.get("thread_ts") or event["ts"])

        @app.command("/nexus")
        async def on_command(ack: Any, command: dict[str, Any]) -> None:
            text = command.get("text", "").strip()
            if not text:
                await ack("Ask me something, e.g. `/nexus what was rent expense last month?`")
                return
            await ack()
            opened = await self.client.chat_postMessage(channel=command["channel_id"],
                                                        text=f"<@{command['user_id']}> asked: {text}")
            await self.answer(command["user_id"], text, command["channel_id"], str(opened["ts"]))

        @app.action(re.compile(f"^{SUGGEST_ACTION}"))
        async def on_suggestion(ack: Any, body: dict[str, Any]) -> None:
            await ack()  # a suggestion button asks its text in the same thread, as the user who pressed it
            message = body.get("message") or {}
            channel = str((body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id"))
            await self.answer(body["user"]["id"], str(body["actions"][0]["value"]), channel,
                              str(message.get("thread_ts") or message.get("ts")))

        @app.action(APPROVE_ACTION)
        async def on_approve(ack: Any, body: dict[str, Any]) -> None:
            await ack()
            await self.decide(body, "approve")

        @app.action(REJECT_ACTION)
        async def on_reject(ack: Any, body: dict[str, Any]) -> None:
            await ack()
            await self.decide(body, "reject")

    async def _actor(self, slack_user: str, permission: str) -> Actor:
        actor = await asyncio.to_thread(self.directory.actor_for, slack_user, self.db)
        self.permissions.check(actor, permission)
        return actor

    async def answer(self, slack_user: str, text: str, channel: str, thread_ts: str) -> None:
        """Run one turn as the mapped Nexus user and stream it into a threaded reply."""
        try:
            actor = await self._actor(slack_user, "chat")
        except NexusError as exc:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=f":no_entry: {exc.message}")
            return
        if not text:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text="What can I do for you?")
            return
        reply = StreamingReply(self.client, channel, thread_ts,
                               min_interval_s=self.settings.slack_update_interval_s)
        await reply.open()
        token = surface.set("slack")
        try:
            await reply.consume(self.turns.run(actor, text, f"slack-{channel}-{thread_ts}"))
        except NexusError as exc:
            await self.client.chat_update(channel=channel, ts=reply.ts or thread_ts, text=f":warning: {exc.message}")
        finally:
            surface.reset(token)

    async def decide(self, body: dict[str, Any], decision: str) -> None:
        """Approve or reject through the approval engine as the mapped user; the card shows the outcome."""
        action = body["actions"][0]
        value = json.loads(action["value"])
        channel = str((body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id"))
        message_ts = str((body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts"))
        slack_user = body["user"]["id"]
        try:
            actor = await self._actor(slack_user, "chat")
            view = await asyncio.to_thread(self._decide_sync, actor, value, decision)
        except NexusError as exc:
            await self.client.chat_postEphemeral(channel=channel, user=slack_user,
                                                 text=f":no_entry: Not {PAST[decision]}: {exc.message}")
            return
        self.metrics.approvals.labels(event=PAST[decision], channel="slack").inc()
        await self.client.chat_update(channel=channel, ts=message_ts, text=f"{PAST[decision]} by {actor.user_id}",
                                      blocks=decided_blocks(view, PAST[decision], actor.user_id))

    def _decide_sync(self, actor: Actor, value: dict[str, Any], decision: str) -> dict[str, Any]:
        approval_id = str(value["approval_id"])
        with self.db.unit_of_work() as session:
            if decision == "approve":
                request = approvals.approve(approval_id, str(value.get("payload_hash") or ""), actor, session)
            else:
                request = approvals.reject(approval_id, f"Rejected in Slack by {actor.user_id}", actor, session)
            return dict(approvals.approval_view(request, session))

    # --- Socket Mode (optional: no public URL needed)
    async def start_socket_mode(self) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        token = self.settings.slack_app_token
        if token is None:
            raise ValueError("Socket Mode needs NEXUS_SLACK_APP_TOKEN")
        self._socket = AsyncSocketModeHandler(self.app, token.get_secret_value())
        await self._socket.connect_async()

    async def aclose(self) -> None:
        socket = getattr(self, "_socket", None)
        if socket is not None:
            await socket.close_async()

    @functools.cached_property
    def request_handler(self) -> AsyncSlackRequestHandler:
        """The HTTP-mode handler for ``POST /slack/events`` (built on its first request)."""
        from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler

        return AsyncSlackRequestHandler(self.app)
