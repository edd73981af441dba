"""A client's tool as the router and the model see it, and the embedding ranking that narrows a client's tools.

The ranking is the one our own tools get (agent/routing.py), over what a client tool has: its name (split into
words), its description and its parameter names. Each tool's texts are embedded once per distinct tool list (the
cache is keyed by the tools' content hash, so an SDK that sends the same ``tools`` on every request pays once).
Figures and quoted values are masked on both sides: "area of a circle of radius 5" and "area of a circle" share the
intent, not the value.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agent.client_tools.schemas import MAX_NODES, decoding_copy
from erp_core.errors import Issue
from retrieval.ports import Embedder

_FIGURE = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?(?![\w.])")
_QUOTED = re.compile(r"\"[^\"]{1,200}\"|'[^']{1,200}'")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Strings the model writes are capped in the grammar (a small model rambles inside an open string); the client's
# own bounds are checked after decoding.
FREE_STRING_MAX = 96
ARRAY_MAX = 8


class RecursiveSchemaError(ValueError):
    """A tool's parameters refer to themselves; the call grammar inlines references, so it cannot express that."""


@dataclass(frozen=True, slots=True)
class ClientTool:
    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})

    @property
    def properties(self) -> dict[str, Any]:
        props = self.parameters.get("properties")
        return props if isinstance(props, dict) else {}

    @property
    def required(self) -> list[str]:
        names = self.parameters.get("required")
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def name_words(self) -> str:
        return " ".join(w for w in re.split(r"[_\-.\s]+", _CAMEL.sub(" ", self.name)) if w).lower()

    def named_opposite(self, request: str) -> str | None:
        """A word of the request that is the opposite of a word of this tool's name, when the name's own word is
        not said: ``calculate_internal_rate_of_return`` does not answer for the external rate, nor
        ``calculate_boiling_point`` for the freezing point. (None when there is no such word.)"""
        said = set(re.findall(r"[a-z]+", request.lower()))
        for word in self.name_words().split():
            for opposite in _OPPOSITES.get(word, ()):
                if opposite in said and word not in said:
                    return opposite
        return None

    def route_texts(self) -> list[str]:
        """What the router embeds: name words with the description, and name words with the parameter names."""
        params = " ".join(name.replace("_", " ") for name in self.properties)
        return [mask(f"{self.name_words()}: {self.description}".strip()),
                mask(f"{self.name_words()} {params}".strip())]

    def arguments_schema(self) -> dict[str, Any]:
        """The parameters as the call grammar embeds them: references inlined, annotations dropped, strings capped."""
        return _cap(decoding_copy(_inline_refs(self.parameters, self.parameters, ())))


_ANTONYMS = (("internal", "external"), ("maximum", "minimum"), ("max", "min"), ("highest", "lowest"),
             ("high", "low"), ("boiling", "freezing"), ("buy", "sell"), ("add", "remove"), ("increase", "decrease"),
             ("import", "export"), ("profit", "loss"), ("gain", "loss"), ("win", "lose"), ("hot", "cold"),
             ("upper", "lower"), ("inner", "outer"), ("largest", "smallest"), ("most", "least"), ("best", "worst"),
             ("top", "bottom"), ("encrypt", "decrypt"), ("compress", "decompress"), ("deposit", "withdraw"),
             ("ascending", "descending"), ("arrival", "departure"), ("upload", "download"), ("income", "expense"),
             ("sunrise", "sunset"), ("north", "south"), ("east", "west"))
_OPPOSITES: dict[str, tuple[str, ...]] = {}
for _one, _other in _ANTONYMS:
    _OPPOSITES[_one] = (*_OPPOSITES.get(_one, ()), _other)
    _OPPOSITES[_other] = (*_OPPOSITES.get(_other, ()), _one)


def mask(text: str) -> str:
    return _FIGURE.sub("number", _QUOTED.sub("text", text))


def _pointer(root: dict[str, Any], ref: str) -> Any:
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return target


def _inline_refs(node: Any, root: dict[str, Any], trail: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, root, trail) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in trail or len(trail) > 16:
            raise RecursiveSchemaError(ref)
        merged = {**_pointer(root, ref), **{k: v for k, v in node.items() if k != "$ref"}}
        return _inline_refs(merged, root, (*trail, ref))
    return {key: _inline_refs(value, root, trail) for key, value in node.items()
            if key not in ("$defs", "definitions")}


def _cap(node: Any) -> Any:
    if isinstance(node, list):
        return [_cap(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _cap(sub) for name, sub in value.items()}
        else:
            out[key] = _cap(value)
    kind = out.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "string" in kinds and not {"enum", "const", "pattern"} & out.keys():
        _bound(out, "minLength", "maxLength", FREE_STRING_MAX)
    if "array" in kinds:
        _bound(out, "minItems", "maxItems", ARRAY_MAX)
    return out


def _bound(node: dict[str, Any], low: str, high: str, cap: int) -> None:
    """Cap ``node[high]`` at ``cap``; a lower bound above the cap goes (the client's schema checks it later)."""
    upper = node.get(high)
    node[high] = min(upper, cap) if isinstance(upper, int) else cap
    lower = node.get(low)
    if isinstance(lower, int) and lower > node[high]:
        del node[low]


def tool_issues(tool: ClientTool, field_name: str) -> list[Issue]:
    """Problems with a tool's parameters that the call grammar cannot take (besides the schema checks)."""
    if tool.parameters.get("type", "object") != "object":
        return [Issue("invalid_parameters", f"parameters of {tool.name} must be an object schema", field_name)]
    try:
        expanded = tool.arguments_schema()
    except RecursiveSchemaError as exc:
        return [Issue("unsupported_schema", f"parameters of {tool.name} refer to themselves ({exc}); recursive "
                                            "tool parameters cannot be decoded", field_name)]
    except (KeyError, IndexError, TypeError):
        return [Issue("unsupported_schema", f"a $ref in the parameters of {tool.name} points to nothing", field_name)]
    if len(json.dumps(expanded)) > MAX_NODES * 50:
        return [Issue("unsupported_schema", f"parameters of {tool.name} expand to a schema too large to decode",
                      field_name)]
    return []


def tools_key(tools: Sequence[ClientTool]) -> str:
    data = [[t.name, t.description, sorted(t.properties)] for t in tools]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RankedTool:
    tool: ClientTool
    score: float


class ClientToolRanker:
    """Ranks a client's tools against a request; embeddings of each distinct tool list are cached (LRU)."""

    def __init__(self, embedder: Embedder, cache_size: int = 64) -> None:
        self._embedder = embedder
        self._cache: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _matrix(self, tools: Sequence[ClientTool]) -> tuple[np.ndarray, np.ndarray]:
        key = tools_key(tools)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        texts: list[str] = []
        owners: list[int] = []
        for i, tool in enumerate(tools):
            for text in tool.route_texts():
                texts.append(text)
                owners.append(i)
        entry = (np.asarray(self._embedder.embed_documents(texts), dtype=np.float32), np.asarray(owners))
        with self._lock:
            self._cache[key] = entry
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return entry

    def rank(self, tools: Sequence[ClientTool], request: str) -> list[RankedTool]:
        """Every tool with its best similarity to ``request`` (plus a small boost per name word it mentions)."""
        if not tools:
            return []
        matrix, owners = self._matrix(tools)
        query = np.asarray(self._embedder.embed_query(mask(request)), dtype=np.float32)
        sims = matrix @ query
        best = np.full(len(tools), -1.0, dtype=np.float32)
        np.maximum.at(best, owners, sims)
        words = set(re.findall(r"[a-z]+", request.lower()))
        ranked = []
        for i, tool in enumerate(tools):
            hits = sum(1 for w in set(tool.name_words().split()) if len(w) > 2 and w in words)
            ranked.append(RankedTool(tool, round(float(best[i]) + NAME_WORD_BOOST * hits, 4)))
        return sorted(ranked, key=lambda r: r.score, reverse=True)


NAME_WORD_BOOST = 0.03
