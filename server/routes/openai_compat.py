"""OpenAI-compatible endpoints, so any OpenAI client (SDK, benchmark, tool) can use the local model.

``Authorization: Bearer <token>`` takes a Nexus access token (the SDK's ``api_key``); the caller's roles must grant
the ``api`` permission. ``tools``/``tool_choice`` give OpenAI-style ``tool_calls``: the client's tools are routed,
decoded under a JSON-schema grammar and grounded like our own (``agent.client_tools``, HTTP side in
``server.openai_tools``). Schemas the grammar cannot express are refused with 422 before the model runs; what the model
writes never turns into a 5xx (a call it cannot get right twice becomes a reply in words).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from agent.backends.messages import from_openai
from agent.client_tools.schemas import decoding_copy
from erp_core.errors import Issue, validation_error
from server.deps import ContainerDep
from server.openai_tools import (
    ToolChoice,
    ToolSpec,
    choice_mode,
    client_tools,
    openai_calls,
    response_schema_issues,
    tool_call_deltas,
)
from server.permissions import ApiActor
from server.sse import error_event, sse_response

router = APIRouter(tags=["openai-compatible"])


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[dict[str, Any]] | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None


class ResponseFormat(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["text", "json_object", "json_schema"] = "text"
    json_schema: dict[str, Any] | None = None
    schema_: dict[str, Any] | None = Field(None, alias="schema")


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    model: str | None = None
    messages: list[ChatMessageIn] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(None, ge=1, le=32768)
    max_completion_tokens: int | None = Field(None, ge=1, le=32768)
    temperature: float | None = Field(None, ge=0, le=2)
    stop: str | list[str] | None = None
    response_format: ResponseFormat | None = None
    tools: list[ToolSpec] | None = Field(None, max_length=128, description="Functions the model may call.")
    tool_choice: ToolChoice | None = Field(None, description="none, auto (default with tools), required, or "
                                                             "{type: function, function: {name}}.")
    parallel_tool_calls: bool | None = Field(None, description="false: at most one call per reply; otherwise several "
                                                                "when the request plainly asks for several.")


def _schema_of(fmt: ResponseFormat | None) -> dict[str, Any] | None:
    """The response format's schema as the grammar compiles it; 422 for one the grammar cannot express."""
    if fmt is None or fmt.type == "text":
        return None
    if fmt.type == "json_schema":
        schema = (fmt.json_schema or {}).get("schema")
        if not isinstance(schema, dict):
            raise validation_error([Issue("missing_schema", "json_schema.schema is required",
                                          "response_format.json_schema.schema")])
    else:
        schema = fmt.schema_ or {"type": "object"}
    issues = response_schema_issues(schema)
    if issues:
        raise validation_error(issues)
    return decoding_copy(schema)


def _call_kwargs(body: ChatCompletionRequest, schema: dict[str, Any] | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    limit = body.max_completion_tokens or body.max_tokens
    if limit is not None:
        kwargs["max_tokens"] = limit
    if body.temperature is not None:
        kwargs["temperature"] = body.temperature
    if schema is not None:
        kwargs["json_schema"] = schema
    if body.stop:
        kwargs["stop"] = [body.stop] if isinstance(body.stop, str) else body.stop
    return kwargs


@router.get("/v1/models", summary="Models this server serves (OpenAI-compatible)")
def list_models(_actor: ApiActor, container: ContainerDep) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": container.models.model_name, "object": "model",
                                         "created": 0, "owned_by": "nexus"}]}


@router.post("/v1/chat/completions", summary="Chat completion (OpenAI-compatible), streaming or not",
             responses={200: {"content": {"application/json": {}, "text/event-stream": {}}}})
async def chat_completions(body: ChatCompletionRequest, _actor: ApiActor, container: ContainerDep) -> Any:
    try:
        messages = from_openai([m.model_dump(exclude_none=True) for m in body.messages])
    except (ValueError, KeyError, TypeError) as exc:
        raise validation_error([Issue("invalid_message", str(exc), "messages")]) from None
    # Every check of the request comes before the model is touched: a client's mistake is a 422, not a 502.
    tools = client_tools(body.tools or [])
    mode, named = choice_mode(tools, body.tool_choice)
    if mode is not None and body.response_format is not None and body.response_format.type != "text":
        raise validation_error([Issue("conflict", "use either tools or response_format, not both", "tools")])
    kwargs = _call_kwargs(body, _schema_of(body.response_format))
    model = container.models.get()
    name = body.model or container.models.model_name
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    telemetry = container.telemetry
    if mode is not None:
        caller = await asyncio.to_thread(container.client_tools)
        plan = await asyncio.to_thread(caller.plan, tools, messages, mode, named, body.parallel_tool_calls is not False)
        with telemetry.langchain_calls():
            outcome = await caller.decide(model, messages, plan)
        if outcome.calls:
            calls = openai_calls(outcome.calls)
            usage = {"input_tokens": outcome.input_tokens, "output_tokens": outcome.output_tokens,
                     "total_tokens": outcome.input_tokens + outcome.output_tokens}
            if body.stream:
                return sse_response(_tool_stream(calls, usage, completion_id, created, name))
            return _completion(completion_id, created, name, {"role": "assistant", "content": None,
                                                              "tool_calls": calls}, "tool_calls", usage)
        # No call (none fits, or the model could not write a valid one twice): the reply is written in words.
    if body.stream:
        return sse_response(_stream(model.astream(messages, **kwargs), completion_id, created, name))
    with telemetry.langchain_calls():
        result = await model.ainvoke(messages, **kwargs)
    return _completion(completion_id, created, name, {"role": "assistant", "content": result.content},
                       result.response_metadata.get("finish_reason") or "stop",
                       dict(getattr(result, "usage_metadata", None) or {}))


def _completion(completion_id: str, created: int, name: str, message: dict[str, Any], finish: str,
                usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": completion_id, "object": "chat.completion", "created": created, "model": name,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": usage.get("input_tokens", 0), "completion_tokens": usage.get("output_tokens", 0),
                  "total_tokens": usage.get("total_tokens", 0)},
    }


async def _tool_stream(calls: list[dict[str, Any]], usage: dict[str, Any], completion_id: str, created: int,
                       name: str) -> AsyncIterator[dict[str, Any]]:
    """Decided tool calls as OpenAI stream chunks: the role, each call's header and argument fragments, the finish."""
    def data(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        chunk = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": name,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return {"data": json.dumps(chunk, separators=(",", ":"))}

    yield data({"role": "assistant", "content": None})
    for delta in tool_call_deltas(calls):
        yield data(delta)
    yield data({}, "tool_calls", usage={"prompt_tokens": usage.get("input_tokens", 0),
                                        "completion_tokens": usage.get("output_tokens", 0),
                                        "total_tokens": usage.get("total_tokens", 0)})
    yield {"data": "[DONE]"}


async def _stream(chunks: AsyncIterator[Any], completion_id: str, created: int,
                  name: str) -> AsyncIterator[dict[str, Any]]:
    def data(choices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": name,
                "choices": choices, **extra}
        return {"data": json.dumps(body, separators=(",", ":"))}

    yield data([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
    finish = "stop"
    usage: dict[str, int] = {}
    try:
        async for chunk in chunks:
            if chunk.content:
                yield data([{"index": 0, "delta": {"content": chunk.content}, "finish_reason": None}])
            finish = chunk.response_metadata.get("finish_reason") or finish
            if chunk.usage_metadata:
                usage = {"prompt_tokens": chunk.usage_metadata.get("input_tokens", 0),
                         "completion_tokens": chunk.usage_metadata.get("output_tokens", 0),
                         "total_tokens": chunk.usage_metadata.get("total_tokens", 0)}
    except Exception as exc:
        # OpenAI clients understand an error object inside the stream; the stream still ends with [DONE].
        err = error_event(exc)
        yield {"data": json.dumps({"error": {"code": err.code, "message": err.message, "type": "server_error"}})}
    else:
        yield data([{"index": 0, "delta": {}, "finish_reason": finish}], usage=usage or None)
    yield {"data": "[DONE]"}


