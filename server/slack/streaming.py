"""A threaded Slack reply that grows while the answer streams, within Slack's rate limits.

The first ``chat.postMessage`` opens the reply; tokens accumulate and ``chat.update`` rewrites it at most once per
``min_interval_s`` (Slack allows about one update per second per message); the final text is always written.
Approval requests become a Block Kit card in the same thread; the answer's tables and suggestions become blocks of
the reply when the turn ends.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from agent.events import ApprovalRequired, Citation, Done, Error, Event, Suggestions, Table, Token, ToolCall, ToolResult
from server.slack.blocks import answer_blocks, approval_blocks

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient

MAX_TEXT = 3900  # Slack truncates message text at 4,000 characters


class StreamingReply:
    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str, *, min_interval_s: float = 1.2) -> None:
        self._client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self._interval = min_interval_s
        self.ts: str | None = None
        self._text = ""
        self._activity: list[str] = []
        self._sources: list[str] = []
        self._tables: list[dict[str, Any]] = []
        self._suggestions: list[str] = []
        self._last_update = 0.0
        self._shown = ""
        self.updates = 0

    def render(self) -> str:
        parts = []
        if self._activity:
            parts.append("\n".join(self._activity))
        parts.append(self._text or "…")
        if self._sources:
            parts.append("Sources: " + "; ".join(self._sources))
        text = "\n\n".join(parts)
        return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"

    async def open(self) -> None:
        posted = await self._client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                                     text=":hourglass_flowing_sand: thinking…")
        self.ts = str(posted["ts"])
        self._last_update = time.monotonic()

    async def _update(self, *, force: bool = False) -> None:
        text = self.render()
        if self.ts is None or text == self._shown:
            return
        if not force and time.monotonic() - self._last_update < self._interval:
            return
        if force and (self._tables or self._suggestions):
            await self._client.chat_update(channel=self.channel, ts=self.ts, text=text,
                                           blocks=answer_blocks(text, self._tables, self._suggestions))
        else:
            await self._client.chat_update(channel=self.channel, ts=self.ts, text=text)
        self._shown = text
        self._last_update = time.monotonic()
        self.updates += 1

    async def consume(self, events: AsyncIterator[Event]) -> str | None:
        """Stream ``events`` into the reply; returns the thread id the turn reported."""
        thread_id: str | None = None
        tools: dict[str, str] = {}
        async for event in events:
            if isinstance(event, Token):
                self._text += event.text
            elif isinstance(event, ToolCall):
                tools[event.id] = event.tool
                self._activity.append(f":gear: `{event.tool}` running…")
            elif isinstance(event, ToolResult):
                mark = ":white_check_mark:" if event.ok else ":x:"
                self._activity.append(f"{mark} `{tools.get(event.id, 'tool')}` {event.summary}"[:300])
            elif isinstance(event, Citation):
                self._sources.append(event.title or event.doc_id)
            elif isinstance(event, Table):
                self._tables.append(event.payload())
            elif isinstance(event, Suggestions):
                self._suggestions = list(event.items)
            elif isinstance(event, ApprovalRequired):
                await self.post_approval(event)
            elif isinstance(event, Error):
                self._text += f"\n:warning: {event.message}"
            elif isinstance(event, Done):
                thread_id = event.thread_id
            await self._update()
        await self._update(force=True)
        return thread_id

    async def post_approval(self, event: ApprovalRequired) -> None:
        view: dict[str, Any] = {"approval_id": event.approval_id, "payload_hash": event.payload_hash,
                                "draft": event.draft, "approvers": event.approvers,
                                "summary": event.draft.get("memo") or event.draft.get("summary"),
                                "amount": event.draft.get("amount"), "currency": event.draft.get("currency"),
                                "preparer_id": event.draft.get("preparer_id", "you"),
                                "document_type": event.draft.get("document_type", "journal_entry")}
        await self._client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                            text=f"Approval needed: {view['summary'] or event.approval_id}",
                                            blocks=approval_blocks(view, impact=event.impact))
