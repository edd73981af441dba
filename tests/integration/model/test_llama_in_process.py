"""The real SmolLM2 GGUF, loaded in-process through llama-cpp-python."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import HumanMessage, SystemMessage

from agent.backends.llama_cpp import LlamaCppChat
from agent.backends.llama_engine import LlamaEngine, default_model_path
from erp_core.errors import ErrorCode, NexusError
from server.app import create_app
from server.bootstrap import build_container
from server.settings import Settings

pytestmark = pytest.mark.model

# Numeric ranges are not expressible in llama.cpp's schema grammar; the agent validates them after decoding.
SCHEMA = {"type": "object", "properties": {"account": {"type": "string", "enum": ["6100", "6200"]},
                                           "amount": {"type": "integer"}},
          "required": ["account", "amount"], "additionalProperties": False}


@pytest.fixture(scope="module")
def engine() -> LlamaEngine:
    return LlamaEngine(n_ctx=2048)


def test_default_model_is_the_packaged_gguf() -> None:
    path = default_model_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 50_000_000


def test_streams_tokens(engine: LlamaEngine) -> None:
    chat = LlamaCppChat(engine, max_tokens=16)
    chunks = list(chat.stream([SystemMessage("You are terse."), HumanMessage("Name a colour.")]))
    assert any(c.content for c in chunks)
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage and usage[-1]["output_tokens"] >= 1


def test_json_schema_constrains_decoding(engine: LlamaEngine) -> None:
    chat = LlamaCppChat(engine, max_tokens=48)
    for question in ("Book 50 to rent.", "Travel costs of 120.", "Write me a poem instead."):
        reply = chat.invoke([SystemMessage("Answer in JSON."), HumanMessage(question)], json_schema=SCHEMA)
        jsonschema.validate(json.loads(str(reply.content)), SCHEMA)


def test_static_prefix_survives_other_prompts(engine: LlamaEngine) -> None:
    system = {"role": "system", "content": "You are the ERP assistant. " * 40}
    other = {"role": "system", "content": "A different assistant entirely. " * 40}

    def usage(sys_msg: dict[str, str], text: str) -> tuple[int, int]:
        pieces = list(engine.stream([sys_msg, {"role": "user", "content": text}], max_tokens=2))
        assert pieces[-1].usage is not None
        return pieces[-1].usage.cached_tokens, pieces[-1].usage.prompt_tokens

    usage(system, "first user")
    cached, _ = usage(system, "second user, other thread")
    assert cached > 200
    usage(other, "a prompt with another prefix")
    cached, prompt = usage(system, "third user")
    assert 200 < cached < prompt  # restored from the saved state, only the suffix evaluated


def test_prompt_over_the_context_window_is_a_typed_error(engine: LlamaEngine) -> None:
    with pytest.raises(NexusError) as info:
        list(engine.stream([{"role": "user", "content": "word " * 3000}], max_tokens=8))
    assert info.value.code is ErrorCode.CONTEXT_TOO_LONG


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    settings = Settings(data_dir=tmp_path, n_ctx=2048, max_tokens=12, _env_file=None)  # type: ignore[call-arg]
    container = build_container(settings)
    assert container.dev_issuer is not None
    token = container.dev_issuer.issue("alice@acme", "acme", ["accountant"])
    with TestClient(create_app(container)) as test_client:
        deadline = time.monotonic() + 60
        while test_client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, test_client.get("/readyz").json()
            time.sleep(0.1)
        yield test_client, token


def test_real_model_streams_through_chat_endpoint(client: tuple[TestClient, str]) -> None:
    test_client, token = client
    resp = test_client.post("/v1/chat", json={"message": "Say hi."}, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    events = [line.split(":", 1)[1].strip() for line in resp.text.splitlines() if line.startswith("event:")]
    assert events.count("token") >= 1
    assert events[-1] == "done"
    assert "error" not in events


def test_too_long_message_for_the_window_is_an_error_event(client: tuple[TestClient, str]) -> None:
    test_client, token = client
    resp = test_client.post("/v1/chat", json={"message": "ledger " * 2100},
                            headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    events = [line.split(":", 1)[1].strip() for line in resp.text.splitlines() if line.startswith("event:")]
    assert events == ["error", "done"]
    assert "context_too_long" in resp.text
