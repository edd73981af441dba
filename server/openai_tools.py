"""OpenAI-style function calling for ``/v1/chat/completions``: the request's shapes, their up-front checks, the reply.

The decision itself (routing, grammar, grounding, validation, retry) is ``agent.client_tools``; this module is the
HTTP side: the ``tools`` / ``tool_choice`` request models, the checks that turn a client's mistake into a 422 before
any model runs (an unknown function in ``tool_choice``, parameters the grammar cannot express), and the OpenAI
``tool_calls`` / stream chunks a decision becomes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.client_tools.calling import Call, ClientToolCaller, Mode
from agent.client_tools.catalog import ClientTool, ClientToolRanker, tool_issues
from agent.client_tools.schemas import expressible_issues, schema_issues
from erp_core.errors import Issue, validation_error

if TYPE_CHECKING:
    from server.settings import Settings

# An argument string is streamed in pieces of this many characters, as a model server streams them.
ARGUMENT_CHUNK = 32


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


def client_tools(tools: list[ToolSpec]) -> list[ClientTool]:
    """The request's tools, checked: every problem of every tool is reported at once (422)."""
    issues: list[Issue] = []
    seen: set[str] = set()
    out: list[ClientTool] = []
    for i, spec in enumerate(tools):
        fn = spec.function
        where = f"tools[{i}].function.parameters"
        if fn.name in seen:
            issues.append(Issue("duplicate_tool", f"two tools are named {fn.name!r}", f"tools[{i}].function.name"))
        seen.add(fn.name)
        tool = ClientTool(fn.name, fn.description or "", fn.parameters or {"type": "object", "properties": {}})
        problems = schema_issues(tool.parameters, where)
        if not problems:
            problems = tool_issues(tool, where)
        if not problems:
            problems = expressible_issues(tool.arguments_schema(), where)
        issues.extend(problems)
        out.append(tool)
    if issues:
        raise validation_error(issues)
    return out


def choice_mode(tools: list[ClientTool], choice: ToolChoice | None) -> tuple[Mode | None, str | None]:
    """(mode, named function) for ``tool_choice``; mode None means "write text, call nothing"."""
    if not tools or choice == "none":
        return None, None
    if isinstance(choice, NamedToolChoice):
        name = choice.function.name
        if name not in {t.name for t in tools}:
            raise validation_error([Issue("unknown_tool", f"tool_choice names {name!r}, which is not in tools",
                                          "tool_choice.function.name")])
        return "named", name
    if choice == "required":
        return "required", None
    return "auto", None


def response_schema_issues(schema: dict[str, Any]) -> list[Issue]:
    return expressible_issues(schema, "response_format.json_schema.schema")


def openai_calls(calls: list[Call]) -> list[dict[str, Any]]:
    return [{"id": f"call_{uuid.uuid4().hex[:24]}", "type": "function",
             "function": {"name": call.name, "arguments": json.dumps(call.arguments, separators=(",", ":"))}}
            for call in calls]


def tool_call_deltas(calls: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """OpenAI stream deltas for ``calls``: per call, its index, id, type and name first, then its arguments in
    fragments (clients concatenate ``function.arguments`` by ``index``)."""
    for index, call in enumerate(calls):
        arguments = call["function"]["arguments"]
        yield {"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                               "function": {"name": call["function"]["name"], "arguments": ""}}]}
        for at in range(0, len(arguments), ARGUMENT_CHUNK):
            yield {"tool_calls": [{"index": index, "function": {"arguments": arguments[at:at + ARGUMENT_CHUNK]}}]}


def build_tool_caller(settings: Settings, embedder: Callable[[], Any]) -> ClientToolCaller:
    """The client-tool caller over the tool router's kind of embedder (int8 ONNX MiniLM where it runs)."""
    from server.agent_wiring import build_routing_embedder

    return ClientToolCaller(ClientToolRanker(build_routing_embedder(settings, embedder())))
