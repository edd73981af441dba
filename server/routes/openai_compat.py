"""OpenAI-compatible endpoints, so any OpenAI client (SDK, benchmark, tool) can use the local model.

``Authorization: Bearer <token>`` takes a Nexus access token (the SDK's ``api_key``); the caller's roles must grant
the ``api`` permission. ``tools``/``tool_choice`` give OpenAI-style ``tool_calls`` decoded under a JSON-schema grammar
(``server.openai_tools``), so OpenAI-compatible clients and benchmarks can use the local model for tool calling.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from agent.backends.messages import from_openai
from erp_core.errors import Issue, validation_error
from server.deps import ContainerDep
from server.interfaces import telemetry_of
from server.openai_tools import ToolChoice, ToolSpec, call_schema, parse_reply, with_tools
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
    parallel_tool_calls: bool | None = Field(None, description="Accepted; one call is made per reply.")


def _schema_of(fmt: ResponseFormat | None) -> dict[str, Any] | None:
    if fmt is None or fmt.type == "text":
        return None
    if fmt.type == "json_schema":
        schema = (fmt.json_schema or {}).get("schema")
        if not isinstance(schema, dict):
            raise validation_error([Issue("missing_schema", "json_schema.schema is required",
                                          "response_format.json_schema.schema")])
        return schema
    return fmt.schema_ or {"type": "object"}


def _call_kwargs(body: ChatCompletionRequest) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    limit = body.max_completion_tokens or body.max_tokens
    if limit is not None:
        kwargs["max_tokens"] = limit
    if body.temperature is not None:
        kwargs["temperature"] = body.temperature
    schema = _schema_of(body.response_format)
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
    tools = body.tools or []
    tool_schema = call_schema(tools, body.tool_choice)
    if tool_schema is not None and body.response_format is not None and body.response_format.type != "text":
        raise validation_error([Issue("conflict", "use either tools or response_format, not both", "tools")])
    model = container.models.get()
    kwargs = _call_kwargs(body)
    name = body.model or container.models.model_name
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    telemetry = telemetry_of(container)
    if tool_schema is not None:
        with telemetry.langchain_calls():
            result = await model.ainvoke(with_tools(messages, tools, body.tool_choice), **kwargs,
                                         json_schema=tool_schema)
        content, calls = parse_reply(str(result.content), tools)
        if body.stream:
            return sse_response(_tool_stream(content, calls, completion_id, created, name))
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if calls:
            message["tool_calls"] = calls
        return _completion(completion_id, created, name, message, "tool_calls" if calls else "stop", result)
    if body.stream:
        return sse_response(_stream(model.astream(messages, **kwargs), completion_id, created, name))
    with telemetry.langchain_calls():
        result = await model.ainvoke(messages, **kwargs)
    return _completion(completion_id, created, name, {"role": "assistant", "content": result.content},
                       result.response_metadata.get("finish_reason") or "stop", result)


def _completion(completion_id: str, created: int, name: str, message: dict[str, Any], finish: str,
                result: Any) -> dict[str, Any]:
    usage: dict[str, Any] = dict(getattr(result, "usage_metadata", None) or {})
    return {
        "id": completion_id, "object": "chat.completion", "created": created, "model": name,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": usage.get("input_tokens", 0), "completion_tokens": usage.get("output_tokens", 0),
                  "total_tokens": usage.get("total_tokens", 0)},
    }


async def _tool_stream(content: str | None, calls: list[dict[str, Any]], completion_id: str, created: int,
                       name: str) -> AsyncIterator[dict[str, Any]]:
    """A decoded tool reply as OpenAI stream chunks: role, then the calls (or the content), then the finish."""
    def data(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        chunk = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": name,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return {"data": json.dumps(chunk, separators=(",", ":"))}

    yield data({"role": "assistant", "content": None if calls else ""})
    if calls:
        yield data({"tool_calls": [{"index": i, **call} for i, call in enumerate(calls)]})
        yield data({}, "tool_calls")
    else:
        yield data({"content": content or ""})
        yield data({}, "stop")
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


