"""LangChain messages <-> OpenAI-style role/content dicts, shared by every backend."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage


def content_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict) and part.get("type") == "text":
            parts.append(str(part.get("text", "")))
    return "".join(parts)


def to_openai(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for msg in messages:
        if isinstance(msg, SystemMessage):
            out.append({"role": "system", "content": content_text(msg)})
        elif isinstance(msg, HumanMessage):
            out.append({"role": "user", "content": content_text(msg)})
        elif isinstance(msg, AIMessage):
            item: dict[str, Any] = {"role": "assistant", "content": content_text(msg)}
            if msg.tool_calls:
                item["tool_calls"] = [
                    {"id": call["id"], "type": "function",
                     "function": {"name": call["name"], "arguments": json.dumps(call["args"])}}
                    for call in msg.tool_calls
                ]
            out.append(item)
        elif isinstance(msg, ToolMessage):
            out.append({"role": "tool", "tool_call_id": msg.tool_call_id, "content": content_text(msg)})
        else:
            out.append({"role": msg.type, "content": content_text(msg)})
    return out


def from_openai(items: Sequence[dict[str, Any]]) -> list[BaseMessage]:
    """OpenAI request messages (as received by our OpenAI-compatible endpoint) -> LangChain messages."""
    messages: list[BaseMessage] = []
    for item in items:
        role = item.get("role")
        content = item.get("content") or ""
        if isinstance(content, list):
            content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        if role in ("system", "developer"):
            messages.append(SystemMessage(content))
        elif role == "user":
            messages.append(HumanMessage(content))
        elif role == "assistant":
            calls = [
                {"id": c.get("id", ""), "name": c["function"]["name"],
                 "args": _loads_object(c["function"].get("arguments", "{}"))}
                for c in item.get("tool_calls") or []
            ]
            messages.append(AIMessage(content, tool_calls=calls))
        elif role == "tool":
            messages.append(ToolMessage(content, tool_call_id=str(item.get("tool_call_id", ""))))
        else:
            raise ValueError(f"unsupported message role {role!r}")
    return messages


def _loads_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
