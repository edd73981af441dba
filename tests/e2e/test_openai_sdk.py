"""The official openai SDK talks to our server (a real `nexus serve` process with the real model)."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from retrieval.servers.supervisor import free_port
from server.auth import DevIssuer

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def server(spawn_server: Callable[..., object], tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:

    data = tmp_path_factory.mktemp("nexus-e2e")
    port = free_port()
    nexus = shutil.which("nexus") or str(Path(sys.executable).with_name("nexus"))
    env = {"NEXUS_DATA_DIR": str(data), "NEXUS_N_CTX": "2048", "NEXUS_MAX_TOKENS": "24", "NEXUS_LOG_JSON": "true"}
    base = f"http://127.0.0.1:{port}"
    spawn_server([nexus, "serve", "--port", str(port)], f"{base}/healthz", env=env, timeout_s=60)
    deadline = time.monotonic() + 60
    while httpx.get(f"{base}/readyz").status_code != 200:
        assert time.monotonic() < deadline, "model did not load"
        time.sleep(0.2)
    token = DevIssuer(data / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus").issue(
        "alice@acme", "acme", ["accountant"])
    return base, token


def test_sdk_streams_a_chat_completion(server: tuple[str, str]) -> None:
    import openai

    base, token = server
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=token)
    assert [m.id for m in client.models.list()] == ["smollm2-135m-instruct"]
    stream = client.chat.completions.create(model="smollm2-135m-instruct", stream=True,
                                            messages=[{"role": "user", "content": "Say hello."}])
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    assert "".join(pieces).strip()


def test_sdk_non_streaming_with_json_schema(server: tuple[str, str]) -> None:
    import json

    import openai

    base, token = server
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=token)
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"],
              "additionalProperties": False}
    reply = client.chat.completions.create(
        model="smollm2-135m-instruct", messages=[{"role": "user", "content": "Is the ledger balanced?"}],
        response_format={"type": "json_schema", "json_schema": {"name": "check", "schema": schema}})
    import jsonschema

    jsonschema.validate(json.loads(reply.choices[0].message.content or ""), schema)
    assert reply.usage is not None and reply.usage.completion_tokens > 0


def test_sdk_bad_token_is_refused(server: tuple[str, str]) -> None:
    import openai

    base, _ = server
    client = openai.OpenAI(base_url=f"{base}/v1", api_key="not-a-token", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.models.list()
