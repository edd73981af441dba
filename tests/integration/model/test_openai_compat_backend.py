"""The OpenAI-compatible backend against a real llama_cpp.server process serving the same GGUF on 127.0.0.1."""

from __future__ import annotations

import json

import jsonschema
import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from agent.backends.openai_compat import OpenAICompatChat
from erp_core.errors import ErrorCode, NexusError

pytestmark = pytest.mark.model

SCHEMA = {"type": "object", "properties": {"tool": {"type": "string", "enum": ["trial_balance", "answer"]},
                                           "period": {"type": "string"}},
          "required": ["tool", "period"], "additionalProperties": False}


def test_streams_tokens_from_a_real_server(llama_server: str) -> None:
    chat = OpenAICompatChat(base_url=llama_server, model_name="smollm2", max_tokens=16,
                            structured_mode="json_object")
    chunks = list(chat.stream([SystemMessage("You are terse."), HumanMessage("Name a fruit.")]))
    assert "".join(str(c.content) for c in chunks).strip()


def test_json_object_schema_mode_constrains_output(llama_server: str) -> None:
    chat = OpenAICompatChat(base_url=llama_server, model_name="smollm2", max_tokens=64,
                            structured_mode="json_object")
    reply = chat.invoke([SystemMessage("Pick a tool."), HumanMessage("Trial balance for March please")],
                        json_schema=SCHEMA)
    jsonschema.validate(json.loads(str(reply.content)), SCHEMA)
    assert reply.usage_metadata is not None and reply.usage_metadata["output_tokens"] > 0


def test_json_schema_mode_is_sent_in_openai_dialect(llama_server: str) -> None:
    # llama_cpp.server refuses the json_schema dialect (vLLM and OpenAI take it): the refusal must be a typed error.
    chat = OpenAICompatChat(base_url=llama_server, model_name="smollm2", max_tokens=16, structured_mode="json_schema")
    with pytest.raises(NexusError) as info:
        chat.invoke([HumanMessage("hi")], json_schema=SCHEMA)
    assert info.value.code is ErrorCode.BACKEND_FAILED
    assert "answered" in info.value.message  # the server refused the request; nothing was parsed


def test_server_down_is_backend_unavailable() -> None:
    chat = OpenAICompatChat(base_url="http://127.0.0.1:9/v1", model_name="x", timeout_s=2)
    with pytest.raises(NexusError) as info:
        chat.invoke([HumanMessage("hi")])
    assert info.value.code is ErrorCode.BACKEND_UNAVAILABLE
    assert info.value.retryable
