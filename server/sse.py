"""Server-sent events per the contract in ARCHITECTURE.md.

Once a stream has started, a failure becomes an ``error`` event followed by ``done``; the connection is never just
dropped, and the server stays up.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from sse_starlette.sse import EventSourceResponse

from agent.events import Done, Error, Event
from erp_core.errors import ErrorCode, NexusError

log = logging.getLogger("nexus.sse")

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def frame(event: Event) -> dict[str, Any]:
    """One sse-starlette message dict: event name plus compact JSON data."""
    return {"event": event.name, "data": json.dumps(event.payload(), separators=(",", ":"), default=str)}


def error_event(exc: BaseException) -> Error:
    if isinstance(exc, NexusError):
        return Error(code=exc.code.value, message=exc.message, retryable=exc.retryable)
    log.exception("stream failed", exc_info=exc)
    if isinstance(exc, ConnectionError | TimeoutError):
        return Error(code=ErrorCode.BACKEND_UNAVAILABLE.value, message="the model backend is unreachable",
                     retryable=True)
    return Error(code=ErrorCode.BACKEND_FAILED.value, message=f"the turn failed: {type(exc).__name__}",
                 retryable=True)


async def guarded(events: AsyncIterator[Event], thread_id: str,
                  on_event: Callable[[Event], None] | None = None) -> AsyncIterator[dict[str, Any]]:
    """Frame ``events``; turn any failure into ``error`` + ``done`` so the client always sees the end of the turn."""
    done_sent = False
    try:
        async for event in events:
            if on_event:
                on_event(event)
            done_sent = done_sent or isinstance(event, Done)
            yield frame(event)
    except Exception as exc:
        yield frame(error_event(exc))
    if not done_sent:
        yield frame(Done(thread_id=thread_id))


def sse_response(events: AsyncIterator[dict[str, Any]]) -> EventSourceResponse:
    return EventSourceResponse(events, headers=SSE_HEADERS, ping=15)
