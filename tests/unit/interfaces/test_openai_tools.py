"""``/v1/chat/completions`` with ``tools``: routed client tools, OpenAI ``tool_calls``, stream chunks, and 4xx (never
5xx) for what the grammar cannot express."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from agent.backends.scripted import ScriptedChat
from agent.client_tools.calling import ClientToolCaller, RoutingPolicy
from agent.client_tools.catalog import ClientToolRanker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "agent"))
from test_client_tools import WordsEmbedder

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
TIME = {"type": "function", "function": {"name": "get_time", "description": "Current time in a time zone",
                                         "parameters": {"type": "object", "properties": {"tz": {"type": "string"}},
                                                        "required": ["tz"]}}}
ASK = [{"role": "user", "content": "Weather in Paris?"}]


def app(make_app, model):  # type: ignore[no-untyped-def]
    caller = ClientToolCaller(ClientToolRanker(WordsEmbedder()), RoutingPolicy(no_tool_below=0.2))
    return make_app(model=model, client_tools=caller)


def test_endpoint_returns_openai_tool_calls(make_app, bearer) -> None:
    model = ScriptedChat([{"tool": "get_weather", "tool_args": {"city": "Paris"}}])
    client, container = app(make_app, model)
    resp = client.post("/v1/chat/completions", headers=bearer(container),
                       json={"model": "x", "messages": ASK, "tools": [WEATHER, TIME], "tool_choice": "required"})
    assert resp.status_code == 200, resp.text
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    call = choice["message"]["tool_calls"][0]
    assert call["type"] == "function" and call["id"].startswith("call_")
    assert call["function"]["name"] == "get_weather" and json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    offered = model.calls[0]["kwargs"]["json_schema"]
    assert offered["properties"]["tool"] == {"const": "get_weather"}  # the router kept the one clear match


def test_tool_results_round_trip_and_auto_answers_in_words(make_app, bearer) -> None:
    model = ScriptedChat(["It is sunny in Paris."])
    client, container = app(make_app, model)
    messages = [*ASK, {"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"sky": "sunny"}'}]
    resp = client.post("/v1/chat/completions", headers=bearer(container), json={"messages": messages,
                                                                                 "tools": [WEATHER]})
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["content"] == "It is sunny in Paris."
    assert "tool_calls" not in choice["message"] and "json_schema" not in model.calls[0]["kwargs"]


def test_streamed_tool_call_chunks(make_app, bearer) -> None:
    client, container = app(make_app, ScriptedChat([{"tool": "get_time", "tool_args": {"tz": "Europe/Paris"}}]))
    with client.stream("POST", "/v1/chat/completions", headers=bearer(container),
                       json={"messages": [{"role": "user", "content": "What time is it in the Europe/Paris zone?"}],
                             "tools": [WEATHER, TIME], "tool_choice": "required", "stream": True}) as resp:
        chunks = [line[6:] for line in resp.iter_lines() if line.startswith("data: ")]
    assert chunks[-1] == "[DONE]"
    bodies = [json.loads(c) for c in chunks[:-1]]
    assert bodies[0]["choices"][0]["delta"]["role"] == "assistant"
    deltas = [b["choices"][0]["delta"]["tool_calls"][0] for b in bodies if "tool_calls" in b["choices"][0]["delta"]]
    assert deltas[0]["index"] == 0 and deltas[0]["function"]["name"] == "get_time" and deltas[0]["id"]
    arguments = "".join(d["function"]["arguments"] for d in deltas)
    assert json.loads(arguments) == {"tz": "Europe/Paris"}
    assert bodies[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_a_call_the_model_cannot_write_becomes_words_not_502(make_app, bearer) -> None:
    model = ScriptedChat(['{"tool": "get_weather", "tool_args": {"ci', '{"tool": "get_weather", "tool_a',
                          "I could not look that up."])
    client, container = app(make_app, model)
    resp = client.post("/v1/chat/completions", headers=bearer(container),
                       json={"messages": ASK, "tools": [WEATHER], "tool_choice": "required"})
    assert resp.status_code == 200, resp.text
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["content"] == "I could not look that up."
    assert model.calls[1]["kwargs"]["max_tokens"] > model.calls[0]["kwargs"]["max_tokens"]


BAD_SCHEMAS = [{"type": "foo"}, {"$ref": "#"}, {"$ref": "#/definitions/nope"}, {"type": "string", "pattern": "(["}]


@pytest.mark.parametrize("schema", BAD_SCHEMAS)
def test_response_formats_the_grammar_cannot_express_are_422(make_app, bearer, schema) -> None:
    model = ScriptedChat(["{}"], cycle=True)
    client, container = app(make_app, model)
    resp = client.post("/v1/chat/completions", headers=bearer(container), json={
        "messages": ASK, "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}})
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "validation_failed" and error["issues"][0]["code"] == "unsupported_schema"
    assert model.calls == []  # refused before the model ran


@pytest.mark.parametrize("schema", BAD_SCHEMAS)
def test_tool_parameters_the_grammar_cannot_express_are_422(make_app, bearer, schema) -> None:
    client, container = app(make_app, ScriptedChat(["{}"], cycle=True))
    tool = {"type": "function", "function": {"name": "f", "parameters": {
        "type": "object", "properties": {"x": schema}}}}
    resp = client.post("/v1/chat/completions", headers=bearer(container), json={"messages": ASK, "tools": [tool]})
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["issues"][0]["field"].startswith("tools[0].function.parameters")


def test_bad_tool_requests_are_422(make_app, bearer) -> None:
    client, container = app(make_app, ScriptedChat(["{}"], cycle=True))
    named = {"type": "function", "function": {"name": "nope"}}
    for body in ({"messages": ASK, "tools": [WEATHER], "tool_choice": named},
                 {"messages": ASK, "tools": [{"type": "function", "function": {"name": "bad name!"}}]},
                 {"messages": ASK, "tools": [WEATHER, WEATHER]},
                 {"messages": ASK, "tools": [WEATHER], "response_format": {"type": "json_object"}}):
        resp = client.post("/v1/chat/completions", headers=bearer(container), json=body)
        assert resp.status_code == 422, body


def test_tool_choice_none_writes_text(make_app, bearer) -> None:
    model = ScriptedChat(["Plain answer."])
    client, container = app(make_app, model)
    resp = client.post("/v1/chat/completions", headers=bearer(container), json={"messages": ASK, "tool_choice": "none",
                                                                                 "tools": [WEATHER]})
    assert resp.json()["choices"][0]["message"]["content"] == "Plain answer."
    assert "json_schema" not in model.calls[0]["kwargs"]
