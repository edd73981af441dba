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


WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
                                                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                   "required": ["city"]}}}
TIME_TOOL = {"type": "function", "function": {
    "name": "get_time", "description": "Current time in a time zone",
    "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]}}}


def test_sdk_tool_call_is_a_valid_call_of_an_offered_tool(server: tuple[str, str]) -> None:
    import json

    import jsonschema
    import openai

    base, token = server
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=token, max_retries=0)
    reply = client.chat.completions.create(
        model="smollm2-135m-instruct", messages=[{"role": "user", "content": "What is the weather in Paris?"}],
        tools=[WEATHER_TOOL, TIME_TOOL], tool_choice="required")
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.tool_calls
    call = choice.message.tool_calls[0]
    tool = {"get_weather": WEATHER_TOOL, "get_time": TIME_TOOL}[call.function.name]
    jsonschema.validate(json.loads(call.function.arguments), tool["function"]["parameters"])


def test_sdk_streams_tool_call_chunks_for_a_named_function(server: tuple[str, str]) -> None:
    import json

    import jsonschema
    import openai

    base, token = server
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=token, max_retries=0)
    stream = client.chat.completions.create(
        model="smollm2-135m-instruct", stream=True, tools=[WEATHER_TOOL, TIME_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_time"}},
        messages=[{"role": "user", "content": "What time is it in Tokyo?"}])
    names: dict[int, str] = {}
    arguments: dict[int, str] = {}
    finish = None
    for chunk in stream:
        choice = chunk.choices[0]
        for delta in choice.delta.tool_calls or []:
            if delta.function and delta.function.name:
                names[delta.index] = delta.function.name
            arguments[delta.index] = arguments.get(delta.index, "") + ((delta.function and delta.function.arguments)
                                                                       or "")
        finish = choice.finish_reason or finish
    assert finish == "tool_calls" and names == {0: "get_time"}
    jsonschema.validate(json.loads(arguments[0]), TIME_TOOL["function"]["parameters"])


def test_sdk_schema_the_grammar_cannot_express_is_422(server: tuple[str, str]) -> None:
    import openai

    base, token = server
    client = openai.OpenAI(base_url=f"{base}/v1", api_key=token, max_retries=0)
    bad = {"type": "function", "function": {"name": "f", "parameters": {
        "type": "object", "properties": {"x": {"$ref": "#/definitions/nope"}}}}}
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="smollm2-135m-instruct", tools=[bad],
                                       messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(
            model="smollm2-135m-instruct", messages=[{"role": "user", "content": "hi"}],
            response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "foo"}}})


def test_langchain_bind_tools_gets_tool_calls_invoked_and_streamed(server: tuple[str, str]) -> None:
    from langchain_openai import ChatOpenAI
    from pydantic import BaseModel, Field

    class GetWeather(BaseModel):
        """Current weather in a city."""

        city: str = Field(description="City name")

    base, token = server
    llm = ChatOpenAI(base_url=f"{base}/v1", api_key=token, model="smollm2-135m-instruct", max_retries=0)
    bound = llm.bind_tools([GetWeather], tool_choice="GetWeather")
    message = bound.invoke("What is the weather in Berlin?")
    assert message.tool_calls and message.tool_calls[0]["name"] == "GetWeather"
    GetWeather.model_validate(message.tool_calls[0]["args"])
    gathered = None
    for chunk in bound.stream("What is the weather in Rome?"):
        gathered = chunk if gathered is None else gathered + chunk
    assert gathered is not None and gathered.tool_calls and gathered.tool_calls[0]["name"] == "GetWeather"
    GetWeather.model_validate(gathered.tool_calls[0]["args"])
