"""``/v1/chat/completions`` with ``tools``: the grammar schema the backend receives and OpenAI-style ``tool_calls``."""

from __future__ import annotations

import json

import pytest

from agent.backends.scripted import ScriptedChat
from erp_core.errors import NexusError
from server.openai_tools import NamedToolChoice, ToolSpec, call_schema, parse_reply

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
TIME = {"type": "function", "function": {"name": "get_time", "parameters": {
    "type": "object", "properties": {"tz": {"type": "string"}}, "required": ["tz"]}}}
ASK = [{"role": "user", "content": "Weather in Paris?"}]


def specs(*tools: dict) -> list[ToolSpec]:
    return [ToolSpec.model_validate(t) for t in tools]


def test_schema_is_any_of_name_const_with_arguments() -> None:
    schema = call_schema(specs(WEATHER, TIME), "required")
    assert [o["properties"]["name"] for o in schema["anyOf"]] == [{"const": "get_weather"}, {"const": "get_time"}]
    assert schema["anyOf"][0]["properties"]["arguments"] == WEATHER["function"]["parameters"]
    auto = call_schema(specs(WEATHER, TIME), "auto")
    assert auto["anyOf"][-1]["required"] == ["content"]  # auto may answer in words
    named = call_schema(specs(WEATHER, TIME),
                        NamedToolChoice.model_validate({"type": "function", "function": {"name": "get_time"}}))
    assert named is not None and named["properties"]["name"] == {"const": "get_time"}
    assert call_schema(specs(WEATHER), "none") is None


def test_parse_reply_to_tool_calls() -> None:
    content, calls = parse_reply('{"name": "get_weather", "arguments": {"city": "Paris"}}', specs(WEATHER))
    assert content is None and calls[0]["type"] == "function" and calls[0]["id"].startswith("call_")
    assert calls[0]["function"] == {"name": "get_weather", "arguments": '{"city":"Paris"}'}
    assert parse_reply('{"content": "Sunny."}', specs(WEATHER)) == ("Sunny.", [])
    with pytest.raises(NexusError):
        parse_reply('{"name": "get_wea', specs(WEATHER))


def test_endpoint_returns_openai_tool_calls_decoded_under_the_schema(make_app, bearer) -> None:
    model = ScriptedChat([{"name": "get_weather", "arguments": {"city": "Paris"}}])
    client, container = make_app(model=model)
    resp = client.post("/v1/chat/completions", headers=bearer(container),
                       json={"model": "x", "messages": ASK, "tools": [WEATHER, TIME], "tool_choice": "required"})
    assert resp.status_code == 200, resp.text
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]
    assert call["function"]["name"] == "get_weather" and json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    sent = model.calls[0]
    assert sent["kwargs"]["json_schema"] == call_schema(specs(WEATHER, TIME), "required")
    assert "get_weather" in str(sent["messages"][0].content)  # the tools prompt


def test_tool_results_round_trip_and_auto_answers_in_words(make_app, bearer) -> None:
    model = ScriptedChat([{"content": "It is sunny in Paris."}])
    client, container = make_app(model=model)
    messages = [*ASK, {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"sky": "sunny"}'}]
    resp = client.post("/v1/chat/completions", headers=bearer(container), json={"messages": messages,
                                                                                 "tools": [WEATHER]})
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["content"] == "It is sunny in Paris."
    assert "tool_calls" not in choice["message"]


def test_streamed_tool_call_chunks(make_app, bearer) -> None:
    client, container = make_app(model=ScriptedChat([{"name": "get_time", "arguments": {"tz": "UTC"}}]))
    with client.stream("POST", "/v1/chat/completions", headers=bearer(container),
                       json={"messages": ASK, "tools": [WEATHER, TIME], "stream": True}) as resp:
        chunks = [line[6:] for line in resp.iter_lines() if line.startswith("data: ")]
    assert chunks[-1] == "[DONE]"
    bodies = [json.loads(c) for c in chunks[:-1]]
    delta = bodies[1]["choices"][0]["delta"]["tool_calls"][0]
    assert delta["index"] == 0 and delta["function"]["name"] == "get_time"
    assert bodies[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_bad_tool_requests_are_422(make_app, bearer) -> None:
    client, container = make_app()
    named = {"type": "function", "function": {"name": "nope"}}
    for body in ({"messages": ASK, "tools": [WEATHER], "tool_choice": named},
                 {"messages": ASK, "tools": [{"type": "function", "function": {"name": "bad name!"}}]},
                 {"messages": ASK, "tools": [WEATHER], "response_format": {"type": "json_object"}}):
        resp = client.post("/v1/chat/completions", headers=bearer(container), json=body)
        assert resp.status_code == 422, body


def test_without_tools_behaviour_is_unchanged(make_app, bearer) -> None:
    model = ScriptedChat(["Plain answer."])
    client, container = make_app(model=model)
    resp = client.post("/v1/chat/completions", headers=bearer(container), json={"messages": ASK, "tool_choice": "none",
                                                                                 "tools": [WEATHER]})
    assert resp.json()["choices"][0]["message"]["content"] == "Plain answer."
    assert "json_schema" not in model.calls[0]["kwargs"]
