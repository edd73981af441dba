"""EventStream, the SSE response of turns and streamed completions, driven as an ASGI app with a recording client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from server.sse import EventStream, encode


class Client:
    """ASGI receive/send of one request whose body was read; ``leave()`` disconnects it."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.gone = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def leave(self) -> None:
        self.gone.set()

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


async def serve(stream: EventStream, client: Client) -> None:
    await stream({"type": "http"}, client.receive, client.send)


def test_encode_splits_multiline_data_and_omits_a_missing_event_name() -> None:
    assert encode({"event": "token", "data": '{"text":"a"}'}) == b'event: token\r\ndata: {"text":"a"}\r\n\r\n'
    assert encode({"data": "one\ntwo\r\nthree"}) == b"data: one\r\ndata: two\r\ndata: three\r\n\r\n"


async def test_frames_in_order_with_sse_headers_then_the_end_of_the_body() -> None:
    async def frames() -> AsyncIterator[dict[str, Any]]:
        for n in range(3):
            yield {"event": "token", "data": str(n)}

    client = Client()
    await serve(EventStream(frames()), client)
    start = client.sent[0]
    headers = dict(start["headers"])
    assert start["status"] == 200 and headers[b"content-type"].startswith(b"text/event-stream")
    assert headers[b"cache-control"] == b"no-cache" and headers[b"x-accel-buffering"] == b"no"
    assert client.body == b"".join(encode({"event": "token", "data": str(n)}) for n in range(3))
    assert client.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_a_client_that_leaves_stops_the_producer() -> None:
    closed = asyncio.Event()
    produced: list[int] = []

    async def frames() -> AsyncIterator[dict[str, Any]]:
        try:
            for n in range(1000):
                produced.append(n)
                yield {"event": "token", "data": str(n)}
                await asyncio.sleep(0.01)  # a model producing tokens
        finally:
            closed.set()

    client = Client()
    serving = asyncio.create_task(serve(EventStream(frames()), client))
    while len(produced) < 3:
        await asyncio.sleep(0.005)
    client.leave()
    await asyncio.wait_for(serving, 2)  # returns normally: a client leaving is not a server error
    assert closed.is_set() and len(produced) < 50
    assert not any(m.get("more_body") is False for m in client.sent)  # nothing is finished for nobody


async def test_a_quiet_producer_gets_keep_alive_comments() -> None:
    async def frames() -> AsyncIterator[dict[str, Any]]:
        await asyncio.sleep(0.25)  # a model thinking before its first token
        yield {"event": "token", "data": "late"}

    client = Client()
    await serve(EventStream(frames(), ping_s=0.05), client)
    body = client.body
    assert body.startswith(b": ping\r\n\r\n") and body.endswith(encode({"event": "token", "data": "late"}))


async def test_server_shutdown_cancels_the_stream_and_closes_the_generator() -> None:
    closed = asyncio.Event()

    async def frames() -> AsyncIterator[dict[str, Any]]:
        try:
            yield {"event": "token", "data": "first"}
            await asyncio.sleep(10)
            yield {"event": "token", "data": "never"}
        finally:
            closed.set()

    client = Client()
    serving = asyncio.create_task(serve(EventStream(frames()), client))
    await asyncio.sleep(0.05)
    serving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await serving
    assert closed.is_set() and b"never" not in client.body
