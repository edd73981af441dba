"""Server-sent events per the contract in ARCHITECTURE.md.

Once a stream has started, a failure becomes an ``error`` event followed by ``done``; the connection is never just
dropped, and the server stays up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from agent.events import Done, Error, Event
from erp_core.errors import ErrorCode, NexusError
from server.errors import public_message

log = logging.getLogger("nexus.sse")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the only line breaks SSE knows
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def frame(event: Event) -> dict[str, Any]:
    """One sse-starlette message dict: event name plus compact JSON data."""
    return {"event": event.name, "data": json.dumps(event.payload(), separators=(",", ":"), default=str)}


def error_event(exc: BaseException) -> Error:
    if isinstance(exc, NexusError):
        return Error(code=exc.code.value, message=public_message(exc), retryable=exc.retryable)
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


def encode(message: dict[str, Any]) -> bytes:
    """One SSE frame from ``{"event": name?, "data": text}``; a multi-line data text becomes several data lines."""
    lines = [f"event: {message['event']}"] if message.get("event") else []
    lines.extend(f"data: {line}" for line in _LINE_BREAK.split(str(message.get("data", ""))))
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class EventStream(Response):
    """``text/event-stream`` for one finite stream of frames: a turn, a streamed completion.

    The frames run in the request's own task (so context variables — the request id, the trace span — stay the
    generator's), each sent as soon as it exists. After each frame the stream yields to the event loop, so one
    stream's burst of tokens does not hold back other requests' first events. One watcher task notices a client that
    left (the stream is cancelled, so the model stops working for nobody) and sends a keep-alive comment after
    ``ping_s`` without a frame (a CPU model can think for longer than a proxy waits). sse-starlette's
    EventSourceResponse, still used for the widget's endless event feed, runs four tasks and a cancel scope around
    every send: at 200 concurrent turns on two cores that cost more than the turns
    (``evals/benchmarks/bench_sse_load.py``).
    """

    media_type = "text/event-stream"

    def __init__(self, frames: AsyncIterator[dict[str, Any]], *, ping_s: float = 15.0, status_code: int = 200) -> None:
        self.frames = frames
        self.ping_s = ping_s
        self.status_code = status_code  # a parameter, as FastAPI's OpenAPI reads the default status from here
        self.background = None
        self.init_headers(SSE_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        progress = _Progress(last_sent=loop.time())
        lock = asyncio.Lock()  # the watcher's pings and the frames share one connection
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        pump = asyncio.current_task()
        assert pump is not None
        watcher = asyncio.create_task(self._watch(receive, send, lock, progress, pump))
        try:
            async for message in self.frames:
                async with lock:
                    await send({"type": "http.response.body", "body": encode(message), "more_body": True})
                progress.last_sent = loop.time()
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            if not progress.client_gone:
                raise  # the server is stopping: not ours to swallow
            pump.uncancel()
        finally:
            progress.pumping = False
            watcher.cancel()
            await _close(self.frames)
        if not progress.client_gone:
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _watch(self, receive: Receive, send: Send, lock: asyncio.Lock, progress: _Progress,
                     pump: asyncio.Task[Any]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                async with asyncio.timeout(self.ping_s):
                    message = await receive()
            except TimeoutError:
                if loop.time() - progress.last_sent >= self.ping_s / 2:
                    async with lock:
                        await send({"type": "http.response.body", "body": b": ping\r\n\r\n", "more_body": True})
                    progress.last_sent = loop.time()
                continue
            if message["type"] == "http.disconnect":
                progress.client_gone = True
                if progress.pumping:
                    pump.cancel()
                return


@dataclass
class _Progress:
    last_sent: float
    pumping: bool = True  # cancelling the request's task is right only while it runs the frames
    client_gone: bool = False


async def _close(frames: AsyncIterator[Any]) -> None:
    aclose = getattr(frames, "aclose", None)
    if aclose is not None:
        await aclose()  # a stream cancelled between frames: the generator's own clean-up runs now


def sse_response(frames: AsyncIterator[dict[str, Any]]) -> EventStream:
    return EventStream(frames)
