"""The grammar and the prompt for a client-tool decision, built from exactly the tools offered.

One call is ``{"tool": <name>, "tool_args": <that tool's parameters>}``; "no tool" is ``{"tool": "no tool"}`` (a name
no function can have: client names match ``[A-Za-z0-9_-]``), after which the reply is written in words. Several calls
are a JSON array of calls. The key names follow agent/decision.py: llama.cpp's grammar writes object keys in sorted
order, and the model must name the tool before it writes arguments, so the arguments key sorts after "tool".
A named ``tool_choice`` decodes only that tool's arguments object.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agent.client_tools.catalog import ClientTool

NO_TOOL = "no tool"
TOOL_KEY = "tool"
ARGS_KEY = "tool_args"


@dataclass(frozen=True, slots=True)
class RawCall:
    name: str
    arguments: dict[str, Any]


def _call_shape(tool: ClientTool) -> dict[str, Any]:
    return {"type": "object", "properties": {TOOL_KEY: {"const": tool.name}, ARGS_KEY: tool.arguments_schema()},
            "required": [TOOL_KEY, ARGS_KEY], "additionalProperties": False}


def call_schema(tools: Sequence[ClientTool], *, allow_reply: bool, calls: int = 1) -> dict[str, Any]:
    """The decoding schema: one call of one of ``tools`` (or "no tool"), or an array of ``calls`` of them."""
    options = [_call_shape(tool) for tool in tools]
    one: dict[str, Any] = options[0] if len(options) == 1 else {"anyOf": options}
    if calls > 1:
        return {"type": "array", "items": one, "minItems": 2, "maxItems": calls}
    if allow_reply:
        return {"anyOf": [*options, {"type": "object", "properties": {TOOL_KEY: {"const": NO_TOOL}},
                                     "required": [TOOL_KEY], "additionalProperties": False}]}
    return one


def _type_label(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return " | ".join(json.dumps(v) for v in prop["enum"][:8])
    kind = prop.get("type")
    if isinstance(kind, list):
        return "/".join(str(k) for k in kind)
    if kind == "array" and isinstance(prop.get("items"), dict):
        return f"list of {prop['items'].get('type', 'values')}"
    return str(kind or "value")


def describe(tool: ClientTool) -> str:
    """One line the model reads: name(arguments with their types and descriptions): what it does."""
    required = set(tool.required)
    args = []
    for name, prop in tool.properties.items():
        prop = prop if isinstance(prop, dict) else {}
        note = str(prop.get("description") or "").strip().rstrip(".")[:120]
        flag = "" if name in required else ", optional"
        args.append(f"{name} ({_type_label(prop)}{flag}{': ' + note if note else ''})")
    description = tool.description.strip()[:300] or tool.name_words()
    return f"- {tool.name}({'; '.join(args)}): {description}"


def tools_prompt(tools: Sequence[ClientTool], *, allow_reply: bool, calls: int = 1, failure: str = "") -> str:
    lines = ["You call functions for the user. Functions:", *(describe(t) for t in tools)]
    if calls > 1:
        lines.append(f'Reply with a JSON list of calls, one per request (up to {calls}): '
                     f'[{{"{TOOL_KEY}": "<function>", "{ARGS_KEY}": {{...}}}}, ...].')
    else:
        lines.append(f'Reply with JSON: {{"{TOOL_KEY}": "<function>", "{ARGS_KEY}": {{...}}}}.')
    lines.append("Copy argument values from the user's message; leave out optional arguments the user did not give.")
    if allow_reply:
        lines.append(f'If no function fits the request, reply {{"{TOOL_KEY}": "{NO_TOOL}"}}.')
    if failure:
        lines.append(f"Your previous reply was rejected: {failure}")
    return "\n".join(lines)


def arguments_prompt(tool: ClientTool, failure: str = "") -> str:
    lines = ["You call a function for the user:", describe(tool),
             "Reply with its arguments as a JSON object. Copy values from the user's message; leave out optional "
             "arguments the user did not give."]
    if failure:
        lines.append(f"Your previous reply was rejected: {failure}")
    return "\n".join(lines)


def parse_calls(text: str, offered: Sequence[ClientTool]) -> list[RawCall] | None:
    """The decoded reply as calls; None for "no tool". ValueError when it is cut off or not a call of an offered
    tool (only possible when a backend stopped early or ignored the grammar)."""
    value = json.loads(text)
    items = value if isinstance(value, list) else [value]
    names = {t.name for t in offered}
    calls: list[RawCall] = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("a call must be a JSON object")
        name = item.get(TOOL_KEY)
        if name == NO_TOOL and not isinstance(value, list):
            return None
        if name not in names:
            raise ValueError(f"the reply names a function that was not offered: {name!r}")
        arguments = item.get(ARGS_KEY, {})
        if not isinstance(arguments, dict):
            raise ValueError("arguments must be a JSON object")
        call = RawCall(str(name), arguments)
        if call not in calls:  # a small model repeating itself is one call, not two
            calls.append(call)
    if not calls:
        raise ValueError("the reply holds no call")
    return calls


def parse_arguments(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("arguments must be a JSON object")
    return value
