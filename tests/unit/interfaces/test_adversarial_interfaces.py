"""Regression probes of issue 19 against the real app: Slack off means 404 before any Slack import, feedback belongs
to the thread's owner, demo sign-in answers only a same-origin loopback page, /metrics is for local or token-holding
scrapers, a chunked body over the limit is 413, and store errors never show users an internal address."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from erp_core.errors import ErrorCode, NexusError
from server.errors import public_message

ROOT = Path(__file__).resolve().parents[3]
LOCAL = {"host": "127.0.0.1:8000"}


class ThreadsOf:
    """A turn service whose threads (``tenant/thread_id`` → owner) already exist."""

    def __init__(self, owners: dict[str, str]) -> None:
        self.owners = owners

    async def thread_owner(self, actor: Any, thread_id: str) -> str | None:
        return self.owners.get(f"{actor.tenant}/{thread_id}")


def test_aiohttp_is_a_runtime_dependency_and_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith("aiohttp") for dep in project["dependencies"])
    pins = (ROOT / ".ci" / "constraints.txt").read_text().splitlines()
    assert any(line.startswith("aiohttp==") for line in pins)


def test_disabled_slack_answers_404_without_importing_slack(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = make_app()
    for module in ("slack_bolt", "slack_sdk", "aiohttp", "server.slack.bot"):
        monkeypatch.setitem(sys.modules, module, None)  # importing any of them now raises ImportError (a 500)
    response = client.post("/slack/events", content=b"token=x&type=url_verification",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_feedback_belongs_to_the_threads_owner(make_app: Any, bearer: Any) -> None:
    client, container = make_app(turns=ThreadsOf({"acme/th-1": "alice@acme", "acme/th-2": "eve@acme"}))
    alice = bearer(container)
    assert client.post("/v1/feedback", headers=alice, json={"thread_id": "th-1", "rating": "up"}).status_code == 201
    probes = {
        "another tenant": (bearer(container, "alice@globex", ("accountant",)), "th-1"),
        "a colleague": (bearer(container, "carol@acme", ("controller", "employee")), "th-1"),
        "a colleague's thread": (alice, "th-2"),
        "a thread that never existed": (alice, "th-404"),
    }
    for label, (headers, thread) in probes.items():
        posted = client.post("/v1/feedback", headers=headers, json={"thread_id": thread, "rating": "down",
                                                                    "comment": "mine now"})
        assert posted.status_code == 404, label
        assert client.get(f"/v1/feedback/{thread}", headers=headers).status_code == 404, label
    own = client.get("/v1/feedback/th-1", headers=alice).json()
    assert [(f["rating"], f["user_id"]) for f in own] == [("up", "alice@acme")]


@pytest.mark.parametrize("headers", [
    {"host": "evil.example.com"},
    {"host": "evil.example.com:8000"},
    {"host": "127.0.0.1.nip.io:8000"},
    {"host": "localhost.evil.example.com"},
    {**LOCAL, "origin": "http://evil.example.com"},
    {**LOCAL, "origin": "http://127.0.0.1:9999"},
    {**LOCAL, "sec-fetch-site": "cross-site"},
    {**LOCAL, "sec-fetch-site": "same-site"},
])
def test_demo_token_refuses_other_hosts_and_origins(make_app: Any, headers: dict[str, str]) -> None:
    client, _ = make_app()
    response = client.get("/demo/token", params={"user": "frank@acme"}, headers=headers)
    assert response.status_code == 403 and "token" not in response.json()


def test_demo_token_answers_the_same_origin_loopback_page(make_app: Any) -> None:
    client, _ = make_app()
    for headers in (LOCAL, {"host": "localhost:8000", "origin": "http://localhost:8000",
                            "sec-fetch-site": "same-origin"}, {"host": "[::1]:8000"}):
        assert client.get("/demo/token", headers=headers).json()["user"] == "carol@acme"
    remote_peer = TestClient(client.app, client=("203.0.113.7", 40000))
    assert remote_peer.get("/demo/token", headers=LOCAL).status_code == 403


def test_demo_page_and_token_are_off_unless_enabled(make_app: Any) -> None:
    client, _ = make_app(demo_page_enabled=False)
    assert client.get("/demo/token", headers=LOCAL).status_code == 404
    assert client.get("/", headers=LOCAL).status_code == 404
    public, _ = make_app(host="0.0.0.0", auth_mode="dev")  # a public bind does not serve it by default
    assert public.get("/demo/token", headers=LOCAL).status_code == 404


def test_metrics_are_for_local_scrapers_or_the_token(make_app: Any) -> None:
    client, _ = make_app()
    assert client.get("/metrics", headers=LOCAL).status_code == 200
    assert client.get("/metrics", headers={"host": "nexus.example.com"}).status_code == 404
    assert TestClient(client.app, client=("203.0.113.7", 40000)).get("/metrics", headers=LOCAL).status_code == 404
    guarded, _ = make_app(metrics_token="s3cret-scrape")
    assert guarded.get("/metrics", headers=LOCAL).status_code == 404
    assert guarded.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 404
    scraped = guarded.get("/metrics", headers={"host": "nexus.example.com", "authorization": "Bearer s3cret-scrape"})
    assert scraped.status_code == 200 and "nexus_" in scraped.text


def _chunks(total: int, size: int = 64_000) -> Iterator[bytes]:
    yield b'{"message": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


def test_a_chunked_body_over_the_limit_is_413(make_app: Any, bearer: Any) -> None:
    client, container = make_app()
    response = client.post("/v1/chat", content=_chunks(1_200_000), headers={**bearer(container),
                                                                            "content-type": "application/json"})
    assert "content-length" not in response.request.headers  # really chunked
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


def test_store_errors_shown_to_users_name_no_internal_address() -> None:
    err = NexusError(ErrorCode.STORE_UNAVAILABLE,
                     "graph store at bolt://neo4j-0.graph.svc:7687 unavailable (also tried 10.12.0.5:7687)")
    shown = public_message(err)
    assert "bolt://" not in shown and "10.12.0.5" not in shown and "graph store" in shown
    fixable = NexusError(ErrorCode.VALIDATION_FAILED, "see https://example.com/help")
    assert public_message(fixable) == fixable.message  # only infrastructure errors are redacted
