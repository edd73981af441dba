"""Refuse oversized request bodies before anything reads them (ASGI middleware)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


def _too_large_body(limit: int) -> bytes:
    return json.dumps({"error": {"code": "payload_too_large", "retryable": False,
                                 "message": f"request body exceeds {limit} bytes"}}).encode()


#: Bulk routes whose bodies may be larger than ``max_bytes`` (a batch of up to 5,000 journal entries).
BULK_PATHS = frozenset({"/v1/gl/journal-entries/batch"})


class MaxBodySizeMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, bulk_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.bulk_max_bytes = max(bulk_max_bytes or max_bytes, max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.bulk_max_bytes if scope["path"] in BULK_PATHS else self.max_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        seen = 0
        started = exceeded = refused = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            # A chunked body (no Content-Length) is only found too large while the app reads it, and the framework
            # may turn that failure into its own answer (FastAPI: 400 "error parsing the body"): whatever the app
            # answers after the limit was crossed is replaced by the 413.
            nonlocal started, refused
            if refused:
                return
            if message["type"] == "http.response.start":
                if exceeded:
                    refused = True
                    await self._refuse(send, limit)
                    return
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started and not refused:
                await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = _too_large_body(limit)
        headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
