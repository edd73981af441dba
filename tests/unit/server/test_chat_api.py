"""The HTTP contract of /v1/chat and the OpenAI-compatible endpoints, with a scripted chat model."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from agent.backends.scripted import ScriptedChat
from server.bootstrap import Container

from .conftest import bearer

MakeClient = Callable[..., tuple[TestClient, Container]]


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", None
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
        if data is not None:
            events.append((name, json.loads(data)))
    return events


def test_chat_streams_tokens_then_done(make_client: MakeClient) -> None:
    client, container = make_client(ScriptedChat(["Cash is 1,200.00 USD."]))
    resp = client.post("/v1/chat", json={"message": "What is cash?", "thread_id": "t-1"}, headers=bearer(container))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/event-stream")
    assert resp.headers["cache-control"] == "no-cache"
    assert resp.headers["x-accel-buffering"] == "no"
    events = sse_events(resp.text)
    names = [name for name, _ in events]
    assert names[-1] == "done" and names.count("done") == 1
    assert "".join(data["text"] for name, data in events if name == "token") == "Cash is 1,200.00 USD."
    done = events[-1][1]
    assert done["thread_id"] == "t-1"
    assert done["usage"]["output_tokens"] > 0
    assert done["latency_ms"] >= 0


def test_new_thread_id_is_returned(make_client: MakeClient) -> None:
    client, container = make_client(ScriptedChat(["hi"]))
    events = sse_events(client.post("/v1/chat", json={"message": "hi"}, headers=bearer(container)).text)
    assert len(events[-1][1]["thread_id"]) >= 16


def test_chat_requires_a_token(make_client: MakeClient) -> None:
    client, _ = make_client(ScriptedChat(["x"]))
    resp = client.post("/v1/chat", json={"message": "hi"})
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "unauthenticated"
    assert resp.headers["www-authenticate"] == "Bearer"


def test_malformed_input_is_422_with_a_readable_message(make_client: MakeClient) -> None:
    client, container = make_client(ScriptedChat(["x"]))
    headers = {**bearer(container), "content-type": "application/json"}
    for body in ('{"message": ', '{"message": ""}', '{"message": 5}', '{"msg": "hi"}', '[]',
                 '{"message": "hi", "thread_id": "bad id!"}'):
        resp = client.post("/v1/chat", content=body, headers=headers)
        assert resp.status_code == 422, body
        error = resp.json()["error"]
        assert error["code"] == "validation_failed"
        assert error["message"]
        assert error["issues"]


def test_message_over_the_limit_is_422(make_client: MakeClient) -> None:
    client, container = make_client(ScriptedChat(["x"]), max_message_chars=100)
    resp = client.post("/v1/chat", json={"message": "x" * 101}, headers=bearer(container))
    assert resp.status_code == 422
    assert resp.json()["error"]["issues"][0]["field"] == "message"


def test_oversized_body_is_413(make_client: MakeClient) -> None:
    client, container = make_client(ScriptedChat(["x"]), max_body_bytes=2_000)
    resp = client.post("/v1/chat", json={"message": "x" * 5_000}, headers=bearer(container))
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "payload_too_large"


def test_backend_failing_mid_stream_gives_error_then_done(make_client: MakeClient) -> None:
    client, container = make_client(ScriptedChat(["one two three four five"], fail_after_tokens=2))
    resp = client.post("/v1/chat", json={"message": "hi"}, headers=bearer(container))
    assert resp.status_code == 200
    events = sse_events(resp.text)
    names = [name for name, _ in events]
    assert names == ["token", "token", "error", "done"]
    assert events[2][1] == {"code": "backend_unavailable", "message": "the model backend is unreachable",
                            "retryable": True}
    # the server stays up
    assert client.get("/healthz").json() == {"status": "ok"}


def test_backend_down_before_first_token(make_client: MakeClient) -> None:
    client, container = make_client(ScriptedChat([ConnectionRefusedError("down")]))
    events = sse_events(client.post("/v1/chat", json={"message": "hi"}, headers=bearer(container)).text)
    assert [name for name, _ in events] == ["error", "done"]
    assert events[0][1]["retryable"] is True


def test_not_ready_model_gives_503(make_client: MakeClient, tmp_path: Any) -> None:
    client, container = make_client(None, model_path=tmp_path / "missing.gguf")
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.json()["status"] == "not_ready"
    chat = client.post("/v1/chat", json={"message": "hi"}, headers=bearer(container))
    assert chat.status_code == 503
    assert chat.json()["error"]["code"] == "not_ready"


def test_openai_completion_non_streaming(make_client: MakeClient) -> None:
    model = ScriptedChat(['{"answer": "ok"}'])
    client, container = make_client(model)
    body = {"model": "smollm2-135m-instruct", "messages": [{"role": "system", "content": "Be terse."},
                                                           {"role": "user", "content": "hi"}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "a", "schema": {"type": "object"}}}}
    resp = client.post("/v1/chat/completions", json=body, headers=bearer(container))
    assert resp.status_code == 200
    data = resp.json()
    assert data["object"] == "chat.completion"
    assert data["choices"][0]["message"] == {"role": "assistant", "content": '{"answer": "ok"}'}
    assert model.calls[0]["kwargs"]["json_schema"] == {"type": "object"}


def test_openai_completion_streaming_and_models(make_client: MakeClient) -> None:
    client, container = make_client(ScriptedChat(["Hello there"]))
    headers = bearer(container)
    assert client.get("/v1/models", headers=headers).json()["data"][0]["id"] == "smollm2-135m-instruct"
    resp = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}],
                                                       "stream": True}, headers=headers)
    lines = [line[5:].strip() for line in resp.text.splitlines() if line.startswith("data:")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "Hello there"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_openai_rejects_bad_roles(make_client: MakeClient) -> None:
    client, container = make_client(ScriptedChat(["x"]))
    resp = client.post("/v1/chat/completions", json={"messages": [{"role": "wizard", "content": "hi"}]},
                       headers=bearer(container))
    assert resp.status_code == 422
