"""OpenAI-style function calling for ``/v1/chat/completions``, decoded under a JSON-schema grammar.

The client's ``tools`` become one JSON schema: ``anyOf`` over ``{"name": const, "arguments": <parameters>}`` (plus a
plain ``{"content": str}`` answer when ``tool_choice`` is ``auto``). The backend constrains decoding to that schema,
so even a small local model can only produce a well-formed call of a tool that exists, with arguments matching its
schema; the reply is parsed back into OpenAI ``tool_calls``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from langchain_core.messages import BaseMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field

from erp_core.errors import ErrorCode, Issue, NexusError, validation_error

ANSWER_SCHEMA: dict[str, Any] = {"type": "object", "properties": {"content": {"type": "string"}},
                                 "required": ["content"], "additionalProperties": False}


class FunctionSpec(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Function name the model may call.")
    description: str | None = Field(None, max_length=4000)
    parameters: dict[str, Any] | None = Field(None, description="JSON schema of the arguments object.")
    strict: bool | None = None


class ToolSpec(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["function"] = "function"
    function: FunctionSpec


class NamedFunction(BaseModel):
    name: str = Field(min_length=1, max_length=64)


class NamedToolChoice(BaseModel):
    type: Literal["function"] = "function"
    function: NamedFunction


ToolChoice = Literal["none", "auto", "required"] | NamedToolChoice


def _arguments_schema(spec: FunctionSpec) -> dict[str, Any]:
    params = spec.parameters or {"type": "object", "properties": {}}
    if params.get("type", "object") != "object":
        raise validation_error([Issue("invalid_parameters", f"parameters of {spec.name} must be an object schema",
                                      "tools.function.parameters")])
    return params


def call_schema(tools: list[ToolSpec], choice: ToolChoice | None) -> dict[str, Any] | None:
    """The decoding schema for ``tools`` under ``choice``; None when the model should just write text."""
    if not tools or choice == "none":
        return None
    chosen = tools
    if isinstance(choice, NamedToolChoice):
        chosen = [t for t in tools if t.function.name == choice.function.name]
        if not chosen:
            raise validation_error([Issue("unknown_tool", f"tool_choice names {choice.function.name!r}, which is not "
                                                          "in tools", "tool_choice.function.name")])
    options: list[dict[str, Any]] = [
        {"type": "object",
         "properties": {"name": {"const": t.function.name}, "arguments": _arguments_schema(t.function)},
         "required": ["name", "arguments"], "additionalProperties": False}
        for t in chosen]
    if choice in (None, "auto"):
        options.append(ANSWER_SCHEMA)
    return options[0] if len(options) == 1 else {"anyOf": options}


def tools_prompt(tools: list[ToolSpec], choice: ToolChoice | None) -> SystemMessage:
    """Tells the model which functions exist and how to answer (the grammar enforces the shape)."""
    lines = ["You can call functions. Reply with one JSON object."]
    for tool in tools:
        fn = tool.function
        lines.append(f"- {fn.name}: {fn.description or 'no description'}; arguments schema: "
                     f"{json.dumps(fn.parameters or {}, separators=(',', ':'))}")
    lines.append('To call a function: {"name": "<function>", "arguments": {...}}.')
    if choice in (None, "auto"):
        lines.append('To answer without a function: {"content": "<your answer>"}.')
    return SystemMessage("\n".join(lines))


def with_tools(messages: list[BaseMessage], tools: list[ToolSpec], choice: ToolChoice | None) -> list[BaseMessage]:
    """Insert the tools prompt after the client's own system messages."""
    prompt = tools_prompt(tools, choice)
    at = 0
    while at < len(messages) and isinstance(messages[at], SystemMessage):
        at += 1
    return [*messages[:at], prompt, *messages[at:]]


def parse_reply(text: str, tools: list[ToolSpec]) -> tuple[str | None, list[dict[str, Any]]]:
    """The model's grammar-constrained JSON → (content, OpenAI ``tool_calls``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # Only possible when the backend stopped early (max_tokens) inside the JSON.
        raise NexusError(ErrorCode.BACKEND_FAILED, f"the model's tool call was cut off: {exc.msg}") from None
    if not isinstance(data, dict):
        raise NexusError(ErrorCode.BACKEND_FAILED, "the model's reply is not a JSON object")
    if "name" in data:
        names = {t.function.name for t in tools}
        if data["name"] not in names:
            raise NexusError(ErrorCode.BACKEND_FAILED, f"the model called an unknown tool {data['name']!r}")
        arguments = data.get("arguments") if isinstance(data.get("arguments"), dict) else {}
        call = {"id": f"call_{uuid.uuid4().hex[:24]}", "type": "function",
                "function": {"name": data["name"], "arguments": json.dumps(arguments, separators=(",", ":"))}}
        return None, [call]
    return str(data.get("content", "")), []
