"""Backend plumbing that needs no model: message conversion, structured-output dialects, the scripted model."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agent.backends.messages import from_openai, to_openai
from agent.backends.openai_compat import OpenAICompatChat, response_format_for
from agent.backends.scripted import ScriptedChat
from agent.backends.streaming import iterate_in_thread

SCHEMA = {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}


def test_structured_output_dialects() -> None:
    assert response_format_for(SCHEMA, "json_object") == {"type": "json_object", "schema": SCHEMA}
    vllm = response_format_for(SCHEMA, "json_schema")
    assert vllm["type"] == "json_schema" and vllm["json_schema"]["schema"] == SCHEMA


def test_openai_request_carries_schema_and_tools() -> None:
    chat = OpenAICompatChat(base_url="http://127.0.0.1:1/v1", model_name="m", structured_mode="json_object")
    body = chat._request([HumanMessage("hi")], ["\n\n"], {"json_schema": SCHEMA, "max_tokens": 5}, stream=True)
    assert body["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert body["max_tokens"] == 5 and body["stop"] == ["\n\n"] and body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_message_round_trip() -> None:
    messages = [SystemMessage("s"), HumanMessage("u"),
                AIMessage("", tool_calls=[{"id": "c1", "name": "trial_balance", "args": {"as_of": "2026-10-31"}}]),
                ToolMessage("{}", tool_call_id="c1")]
    wire = to_openai(messages)
    assert [m["role"] for m in wire] == ["system", "user", "assistant", "tool"]
    back = from_openai(wire)
    assert isinstance(back[2], AIMessage) and back[2].tool_calls[0]["args"] == {"as_of": "2026-10-31"}
    with pytest.raises(ValueError):
        from_openai([{"role": "wizard", "content": "x"}])


def test_scripted_model_replays_and_records() -> None:
    model = ScriptedChat(["one two", {"a": 1}])
    assert "".join(str(c.content) for c in model.stream([HumanMessage("q")])) == "one two"
    assert model.invoke([HumanMessage("q")], json_schema=SCHEMA).content == '{"a": 1}'
    assert model.calls[1]["kwargs"]["json_schema"] == SCHEMA
    with pytest.raises(RuntimeError):
        model.invoke([HumanMessage("q")])


def test_thread_bridge_stops_the_producer_when_the_reader_leaves() -> None:
    seen: list[int] = []

    def produce(cancelled):  # type: ignore[no-untyped-def]
        for i in range(10_000):
            if cancelled():
                return
            seen.append(i)
            yield i

    async def read_three() -> list[int]:
        out = []
        stream = iterate_in_thread(produce)
        async for item in stream:
            out.append(item)
            if len(out) == 3:
                break
        await stream.aclose()
        await asyncio.sleep(0.05)
        return out

    assert asyncio.run(read_three()) == [0, 1, 2]
    assert len(seen) < 10_000
