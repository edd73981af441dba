"""Rate limits per route class and the bulk route's body limit (in-process limiter, no network)."""

from __future__ import annotations

import asyncio
from typing import Any

from erp_core.identity import Actor
from server.limits import MaxBodySizeMiddleware
from server.ratelimit import DEFAULT_CLASS, GL_WRITE, RateLimits, route_class

ALICE = Actor.of("alice@acme", "acme", "accountant")


def test_gl_writes_are_their_own_class() -> None:
    assert route_class("POST", "/v1/gl/journal-entries/batch") == GL_WRITE
    assert route_class("POST", "/v1/gl/accounts") == GL_WRITE
    assert route_class("GET", "/v1/gl/trial-balance") == DEFAULT_CLASS
    assert route_class("POST", "/v1/chat") == DEFAULT_CLASS
    assert route_class("POST", "/v1/chat/completions") == DEFAULT_CLASS


def test_gl_writes_count_in_their_own_window_and_the_tenant_window_counts_all() -> None:
    async def run() -> tuple[list[bool], list[bool], list[bool]]:
        limits = RateLimits("2/minute", "7/minute", gl_write_limit="4/minute")
        chat = [(await limits.hit(ALICE)).allowed for _ in range(3)]
        writes = [(await limits.hit(ALICE, GL_WRITE)).allowed for _ in range(5)]
        other = Actor.of("bob@acme", "acme", "accountant")
        # 2 + 4 allowed so far: the tenant window (7) has room for one more request of anyone
        tenant = [(await limits.hit(other, GL_WRITE)).allowed for _ in range(2)]
        return chat, writes, tenant

    chat, writes, tenant = asyncio.run(run())
    assert chat == [True, True, False]
    assert writes == [True, True, True, True, False]
    assert tenant == [True, False]


def test_without_a_gl_write_limit_gl_writes_share_the_default_window() -> None:
    async def run() -> list[bool]:
        limits = RateLimits("2/minute", "100/minute")
        return [(await limits.hit(ALICE, route)).allowed for route in (DEFAULT_CLASS, GL_WRITE, GL_WRITE)]

    assert asyncio.run(run()) == [True, True, False]


def _status(middleware: MaxBodySizeMiddleware, path: str, size: int) -> int:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"x" * size, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "headers": [(b"content-length", str(size).encode())]}
    asyncio.run(middleware(scope, receive, send))  # type: ignore[arg-type]
    return int(sent[0]["status"])


def test_the_batch_route_accepts_larger_bodies() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware = MaxBodySizeMiddleware(app, max_bytes=100, bulk_max_bytes=1000)
    assert _status(middleware, "/v1/gl/journal-entries", 500) == 413
    assert _status(middleware, "/v1/gl/journal-entries/batch", 500) == 200
    assert _status(middleware, "/v1/gl/journal-entries/batch", 1500) == 413
