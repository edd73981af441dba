"""The baseline the agent's design is measured against: no routing and no grammar.

The model is shown *every* tool the actor may use (not the router's top k) with the same prompts the agent uses, and
its reply is free text from which the first JSON object is parsed. Comparing its tool choice and arguments with the
agent's (routing + JSON-schema grammar) on the same cases shows what those two parts are worth.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

import prompts
from agent.decision import describe_candidates
from erp_core.identity import Actor
from tools.registry import ToolRegistry


@dataclass
class BaselineChoice:
    tool: str | None
    args: dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    latency_ms: float = 0.0
    usage: dict[str, int] = field(default_factory=dict)

    @property
    def schema_valid(self) -> bool:
        return self.tool is not None


def first_json_object(text: str) -> dict[str, Any] | None:
    """The first balanced ``{...}`` in ``text`` that parses as a JSON object, or None."""
    start = text.find("{")
    while start != -1:
        depth = 0
        in_string = escaped = False
        for i in range(start, len(text)):
            ch = text[i]
            if in_string:
                escaped = not escaped and ch == "\\"
                if ch == '"' and not escaped:
                    in_string = False
                continue
            if ch == '"':
                in_string = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    try:
                        value = json.loads(text[start:i + 1])
                    except json.JSONDecodeError:
                        break
                    return value if isinstance(value, dict) else None
        start = text.find("{", start + 1)
    return None


async def baseline_choice(model: BaseChatModel, registry: ToolRegistry, actor: Actor, request: str) -> BaselineChoice:
    """One free-text decision over all permitted tools, parsed leniently; ``tool`` is None when unreadable."""
    specs = registry.for_actor(actor)
    user = prompts.render("decide_user", tools=describe_candidates(specs), history="", failures="", request=request)
    started = time.perf_counter()
    reply = await model.ainvoke([SystemMessage(prompts.load("decide_system")), HumanMessage(user)],
                                max_tokens=256, temperature=0.0)
    latency = round((time.perf_counter() - started) * 1000, 1)
    raw = str(reply.content)
    meta = getattr(reply, "usage_metadata", None) or {}
    usage = {"input_tokens": int(meta.get("input_tokens", 0)), "output_tokens": int(meta.get("output_tokens", 0))}
    value = first_json_object(raw)
    names = {spec.name for spec in specs} | {"answer"}
    if value is None or str(value.get("tool")) not in names:
        return BaselineChoice(tool=None, raw=raw, latency_ms=latency, usage=usage)
    args = value.get("args") if isinstance(value.get("args"), dict) else {}
    return BaselineChoice(tool=str(value["tool"]), args=args or {}, raw=raw, latency_ms=latency, usage=usage)
