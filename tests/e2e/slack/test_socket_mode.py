"""Socket Mode: the bot opens a connection through apps.connections.open, receives an event envelope over the
WebSocket, acknowledges it, and answers in a thread through the Web API — no public URL involved.

The WebSocket end is a local aiohttp server speaking Slack's Socket Mode framing (hello, envelopes, acks).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from retrieval.servers.supervisor import free_port

from .conftest import SIGNING_SECRET, USER_MAP

MENTION_TS = "1764100000.000100"
ENVELOPE = {
    "envelope_id": "env-1", "type": "events_api", "accepts_response_payload": False,
    "payload": {"token": "legacy", "team_id": "T0NEXUS", "api_app_id": "A0NEXUS", "type": "event_callback",
                "event_id": "Ev0SOCKET", "event_time": 1764100000,
                "event": {"type": "app_mention", "user": "UCAROL", "text": "<@U0NEXUSBOT> rent in October?",
                          "ts": MENTION_TS, "channel": "C0FIN", "event_ts": MENTION_TS}},
}


class SocketModeEndpoint:
    """Greets each client with ``hello``, sends one envelope, and records what the client sends back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[dict[str, Any]] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "A0NEXUS"}}))
        await ws.send_str(json.dumps(ENVELOPE))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                self.received.append(json.loads(message.data))
        return ws

    def __enter__(self) -> SocketModeEndpoint:
        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            app = web.Application()
            app.router.add_get("/link", self._link)
            self._runner = web.AppRunner(app)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
            self._ready.set()
            self._loop.run_forever()

        threading.Thread(target=serve, name="socket-mode-endpoint", daemon=True).start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)


@pytest.fixture()
def socket_server(kit: ModuleType, slack_api: Any, tmp_path: Path) -> Iterator[Any]:
    from agent.backends.scripted import ScriptedChat
    from server.app import create_app
    from server.bootstrap import build_container
    from server.settings import Settings

    with SocketModeEndpoint() as endpoint:
        slack_api.socket_url = endpoint.url
        settings = Settings(_env_file=None, data_dir=tmp_path / "data", slack_enabled=True,  # type: ignore[call-arg]
                            slack_socket_mode=True, slack_app_token="xapp-test-token",
                            slack_bot_token="xoxb-test-token", slack_signing_secret=SIGNING_SECRET,
                            slack_api_url=slack_api.base_url, slack_user_map=USER_MAP, slack_update_interval_s=0.2)
        answer = "October rent was 42,000.00 USD, booked to account 6100."
        turns = kit.ScriptedTurns(lambda actor, message, thread_id: kit.words(answer, thread_id))
        container = build_container(settings, chat_model=ScriptedChat(["unused"], cycle=True),
                                    turns=lambda _models: turns)
        kit.setup_company(container.db, "acme")
        with kit.ServerThread(create_app(container, load_model=False)) as running:
            running.container, running.answer, running.endpoint = container, answer, endpoint
            yield running


def test_an_event_over_socket_mode_is_acked_and_answered_in_its_thread(socket_server: Any, slack_api: Any) -> None:
    opened = slack_api.wait_for("apps.connections.open")[0]
    assert opened.method == "apps.connections.open"
    deadline = time.monotonic() + 15
    while not any(m.get("envelope_id") == "env-1" for m in socket_server.endpoint.received):
        assert time.monotonic() < deadline, socket_server.endpoint.received
        time.sleep(0.05)
    reply = slack_api.wait_for("chat.postMessage")[0]
    assert reply.params["channel"] == "C0FIN" and reply.params["thread_ts"] == MENTION_TS
    while not any(c.params.get("text") == socket_server.answer for c in slack_api.named("chat.update")):
        assert time.monotonic() < deadline, [c.params.get("text") for c in slack_api.named("chat.update")]
        time.sleep(0.05)
    actor, message, _ = socket_server.container.turns.inner.calls[0]
    assert actor.user_id == "carol@acme" and message == "rent in October?"
