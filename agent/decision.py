"""The model's choice of tool and arguments, decoded under a JSON-schema grammar built from the routed candidates.

The grammar admits exactly ``{"tool": <candidate>, "tool_args": <that tool's argument schema>}`` or
``{"tool": "answer"}``. The key names matter: llama.cpp's schema grammar orders object keys alphabetically, and the
model must write the tool's name before its arguments, so the arguments key has to sort after "tool".
so every call parses; pydantic then validates values the grammar cannot express (ranges, formats) and a failure goes
back to the model as a fixable error.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tools.registry import ToolSpec

ANSWER = "answer"
ARGS_KEY = "tool_args"


@dataclass(frozen=True, slots=True)
class Decision:
    tool: str
    args: dict[str, Any]

    @property
    def answers_directly(self) -> bool:
        return self.tool == ANSWER


# Prose is not needed by the grammar. Long length bounds and patterns expand into deeply nested grammar rules that
# overflow llama.cpp's grammar stack (a 500-character maxLength is 500 nested optionals), so strings in a decision are
# capped at a short length instead: that also keeps a small model from rambling inside a string. Pydantic checks the
# real bounds after decoding, and a violation goes back to the model as a fixable error.
_DROPPED = {"title", "description", "examples", "minLength", "pattern", "maxItems", "minItems", "format",
            "slot"}  # slot kinds are for grounding and follow-ups, not for the grammar
DECISION_STRING_MAX = 48


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                out[key] = f"#/$defs/{prefix}{value[len('#/$defs/'):]}"
            elif key in _DROPPED:
                continue
            elif key == "maxLength":
                out[key] = min(int(value), DECISION_STRING_MAX)
            else:
                out[key] = _rewrite_refs(value, prefix)
        if out.get("type") == "string" and "enum" not in out and "const" not in out:
            out.setdefault("maxLength", DECISION_STRING_MAX)
        if out.get("type") == "array":
            out.setdefault("maxItems", 8)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node


_NOT_THE_MODELS = ("question", "context")


def _model_facing(schema: dict[str, Any], given: Collection[str] = ()) -> dict[str, Any]:
    """The argument schema less ``$defs`` and the arguments the model never sets: the user's question (slot
    "question", taken as said), the earlier question a follow-up continues (slot "context", set by the dialogue) and
    tuning knobs marked ``assistant_only`` (a search's passage count: a small model copies "20" from "a 20 dollar
    taxi ride" into it). ``given`` are arguments the request's own words already set (a drafted entry's lines).
    Fewer arguments to write is also fewer tokens to decode: a 135M model writing journal lines ran out of tokens."""
    properties = {name: prop for name, prop in schema.get("properties", {}).items()
                  if prop.get("slot") not in _NOT_THE_MODELS and not prop.get("assistant_only") and name not in given}
    out = {key: value for key, value in schema.items() if key not in ("$defs", "properties", "required")}
    out["properties"] = properties
    if required := [name for name in schema.get("required", []) if name in properties]:
        out["required"] = required
    return out


def drafted_fields(candidates: Sequence[ToolSpec], request: str) -> dict[str, frozenset[str]]:
    """Per candidate, the arguments ``request``'s own words set (``ToolSpec.drafts``): not the model's to write."""
    out: dict[str, frozenset[str]] = {}
    for spec in candidates:
        if spec.drafts is not None and (drafted := spec.drafts(request)):
            out[spec.name] = frozenset(drafted)
    return out


def decision_schema(candidates: Sequence[ToolSpec], *, allow_answer: bool = True,
                    given: Mapping[str, Collection[str]] | None = None) -> dict[str, Any]:
    """One JSON schema: anyOf the candidates' call shapes (plus the direct answer); $defs merged and namespaced.
    ``given`` names, per tool, arguments already set from the request (left out of the model's part)."""
    options: list[dict[str, Any]] = []
    defs: dict[str, Any] = {}
    for spec in candidates:
        schema = spec.json_schema()
        prefix = f"{spec.name}__"
        for name, sub in schema.get("$defs", {}).items():
            defs[prefix + name] = _rewrite_refs(sub, prefix)
        args = _rewrite_refs(_model_facing(schema, (given or {}).get(spec.name, ())), prefix)
        args.setdefault("type", "object")
        options.append({"type": "object", "properties": {"tool": {"const": spec.name}, ARGS_KEY: args},
                        "required": ["tool", ARGS_KEY], "additionalProperties": False})
    if allow_answer or not options:
        options.append({"type": "object", "properties": {"tool": {"const": ANSWER}}, "required": ["tool"],
                        "additionalProperties": False})
    combined: dict[str, Any] = {"anyOf": options}
    if defs:
        combined["$defs"] = defs
    return combined


def describe_candidates(candidates: Sequence[ToolSpec], *, allow_answer: bool = True,
                        given: Mapping[str, Collection[str]] | None = None) -> str:
    """The tool menu the model reads: name, what it does, and its arguments with their descriptions."""
    lines = []
    for i, spec in enumerate(candidates, 1):
        props = _model_facing(spec.json_schema(), (given or {}).get(spec.name, ())).get("properties", {})
        args = ", ".join(f"{name} ({(p.get('description') or '').rstrip('.')})" for name, p in props.items())
        lines.append(f"{i}. {spec.name}: {spec.description} Args: {args or 'none'}.")
    if allow_answer or not candidates:
        lines.append(f"{len(candidates) + 1}. {ANSWER}: reply without a tool (greetings, thanks, questions about you).")
    return "\n".join(lines)


def parse_decision(text: str, candidates: Sequence[ToolSpec]) -> Decision:
    """Read the grammar-constrained reply. Raises ValueError when a backend ignored the grammar."""
    value = json.loads(text)
    if not isinstance(value, dict) or "tool" not in value:
        raise ValueError("decision must be an object with a 'tool'")
    tool = str(value["tool"])
    if tool != ANSWER and tool not in {spec.name for spec in candidates}:
        raise ValueError(f"decision names a tool that was not offered: {tool}")
    args = value.get(ARGS_KEY, value.get("args")) or {}
    if not isinstance(args, dict):
        raise ValueError("decision args must be an object")
    return Decision(tool, args)
