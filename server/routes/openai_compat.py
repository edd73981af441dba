"""OpenAI-compatible endpoints, so any OpenAI client (SDK, benchmark, tool) can use the local model.

``Authorization: Bearer <token>`` takes a Nexus access token (the SDK's ``api_key``).
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
from server.deps import ActorDep, ContainerDep
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
def list_models(_actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": container.models.model_name, "object": "model",
                                         "created": 0, "owned_by": "nexus"}]}


@router.post("/v1/chat/completions", summary="Chat completion (OpenAI-compatible), streaming or not",
             responses={200: {"content": {"application/json": {}, "text/event-stream": {}}}})
async def chat_completions(body: ChatCompletionRequest, _actor: ActorDep, container: ContainerDep) -> Any:
    try:
        messages = from_openai([m.model_dump(exclude_none=True) for m in body.messages])
    except (ValueError, KeyError, TypeError) as exc:
        raise validation_error([Issue("invalid_message", str(exc), "messages")]) from None
    model = container.models.get()
    kwargs = _call_kwargs(body)
    name = body.model or container.models.model_name
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if body.stream:
        return sse_response(_stream(model.astream(messages, **kwargs), completion_id, created, name))
    result = await model.ainvoke(messages, **kwargs)
    usage: dict[str, Any] = dict(getattr(result, "usage_metadata", None) or {})
    return {
        "id": completion_id, "object": "chat.completion", "created": created, "model": name,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": result.content},
                     "finish_reason": result.response_metadata.get("finish_reason") or "stop"}],
        "usage": {"prompt_tokens": usage.get("input_tokens", 0), "completion_tokens": usage.get("output_tokens", 0),
                  "total_tokens": usage.get("total_tokens", 0)},
    }


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


