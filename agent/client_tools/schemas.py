"""Which JSON schemas a client may send for grammar-constrained decoding, checked before any model runs.

A ``response_format`` schema or a tool's ``parameters`` is the client's input: an unknown ``type``, a ``$ref`` that
points nowhere (or at the root: llama.cpp cannot express ``{"$ref": "#"}``), a regular expression that does not
compile, or anything else the grammar converter refuses is reported as a list of issues (422), never met later as an
exception inside the engine (500), and never handed to llama.cpp as a grammar it cannot parse (which would take the
process down: a grammar that fails to parse gives the sampler chain a null sampler).

``decoding_copy`` is what is actually compiled: the same schema without what a grammar need not (or cannot cheaply)
enforce — descriptions, formats, huge length bounds — which the caller checks after decoding where it matters.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

from erp_core.errors import Issue

JSON_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
MAX_DEPTH = 32
MAX_NODES = 4000
# A length or item bound becomes that many nested optional rules in llama.cpp's grammar; deep nests overflow its
# parser's stack. Larger bounds are left out of the decoding copy (the caller validates the decoded value).
MAX_GRAMMAR_BOUND = 256
_BOUNDS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SUBSCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def _pointer(root: Any, ref: str) -> tuple[bool, Any]:
    """Resolve a local JSON pointer ``#/a/b``; (found, target)."""
    target = root
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return False, None
    return True, target


def _children(node: dict[str, Any], where: str) -> Iterator[tuple[Any, str]]:
    for key in _SUBSCHEMA_LISTS:
        value = node.get(key)
        if isinstance(value, list):
            for i, sub in enumerate(value):
                yield sub, f"{where}.{key}[{i}]"
    for key in _SUBSCHEMA_MAPS:
        value = node.get(key)
        if isinstance(value, dict):
            for name, sub in value.items():
                yield sub, f"{where}.{key}.{name}"
    for key in _SUBSCHEMA_ONE:
        value = node.get(key)
        if isinstance(value, dict):
            yield value, f"{where}.{key}"
        elif key == "items" and isinstance(value, list):  # draft-04 tuple form
            for i, sub in enumerate(value):
                yield sub, f"{where}.items[{i}]"


def _node_issues(node: dict[str, Any], root: dict[str, Any], where: str) -> list[Issue]:
    issues: list[Issue] = []
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for item in kinds:
        if item not in JSON_TYPES:
            issues.append(Issue("unsupported_schema", f"unknown type {item!r}; expected one of "
                                                      f"{', '.join(sorted(JSON_TYPES))}", where))
    if "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            issues.append(Issue("unsupported_schema", f"$ref {ref!r} is not supported: only local references "
                                                      "into the schema ('#/$defs/Name') can be decoded", where))
        elif not _pointer(root, ref)[0]:
            issues.append(Issue("unsupported_schema", f"$ref {ref!r} points to nothing in the schema", where))
    pattern = node.get("pattern")
    if pattern is not None:
        if not isinstance(pattern, str):
            issues.append(Issue("unsupported_schema", "pattern must be a string", where))
        else:
            try:
                re.compile(pattern)
            except re.error as exc:
                issues.append(Issue("unsupported_schema", f"pattern {pattern!r} is not a valid regular expression: "
                                                          f"{exc}", where))
    if "enum" in node and (not isinstance(node["enum"], list) or not node["enum"]):
        issues.append(Issue("unsupported_schema", "enum must be a non-empty list", where))
    if "required" in node and (not isinstance(node["required"], list)
                               or not all(isinstance(n, str) for n in node["required"])):
        issues.append(Issue("unsupported_schema", "required must be a list of property names", where))
    for key in _BOUNDS:
        if key in node and (isinstance(node[key], bool) or not isinstance(node[key], int) or node[key] < 0):
            issues.append(Issue("unsupported_schema", f"{key} must be a non-negative integer", where))
    for low, high in (("minLength", "maxLength"), ("minItems", "maxItems"), ("minProperties", "maxProperties")):
        if isinstance(node.get(low), int) and isinstance(node.get(high), int) and node[low] > node[high]:
            issues.append(Issue("unsupported_schema", f"{low} is above {high}: no value can satisfy it", where))
    for key in _SUBSCHEMA_LISTS:
        if key in node and not (isinstance(node[key], list) and all(isinstance(s, dict) for s in node[key])):
            issues.append(Issue("unsupported_schema", f"{key} must be a list of schemas", where))
    if "properties" in node and not (isinstance(node["properties"], dict)
                                     and all(isinstance(s, dict) for s in node["properties"].values())):
        issues.append(Issue("unsupported_schema", "properties must map names to schemas", where))
    if "items" in node and not isinstance(node["items"], dict | list | bool):
        issues.append(Issue("unsupported_schema", "items must be a schema", where))
    return issues


def schema_issues(schema: Any, field: str) -> list[Issue]:
    """Every structural problem of ``schema`` (all at once), each located under ``field``."""
    if not isinstance(schema, dict):
        return [Issue("unsupported_schema", "a schema must be a JSON object", field)]
    issues: list[Issue] = []
    stack: list[tuple[Any, str, int]] = [(schema, field, 0)]
    seen = 0
    while stack:
        node, where, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            return [*issues, Issue("unsupported_schema", f"schema has more than {MAX_NODES} sub-schemas", field)]
        if depth > MAX_DEPTH:
            issues.append(Issue("unsupported_schema", f"schema nests deeper than {MAX_DEPTH} levels", where))
            continue
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            issues.append(Issue("unsupported_schema", "a sub-schema must be a JSON object", where))
            continue
        issues.extend(_node_issues(node, schema, where))
        stack.extend((sub, at, depth + 1) for sub, at in _children(node, where))
    return issues


_DROPPED_FOR_DECODING = frozenset({"title", "description", "examples", "default", "format", "$schema", "$id",
                                   "$comment", "deprecated", "readOnly", "writeOnly"})


def decoding_copy(schema: Any) -> Any:
    """``schema`` as the grammar compiles it: annotations and formats dropped, bounds the grammar cannot nest dropped.

    A ``properties`` map keeps every name, even one called "description" or "format": only keywords are dropped.
    """
    if isinstance(schema, list):
        return [decoding_copy(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED_FOR_DECODING:
            continue
        if key in _BOUNDS and isinstance(value, int) and value > MAX_GRAMMAR_BOUND:
            continue
        if key in _SUBSCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: decoding_copy(sub) for name, sub in value.items()}
        else:
            out[key] = decoding_copy(value)
    return out


_RULE_DEF = re.compile(r"^([A-Za-z0-9-]+)\s*::=\s*(.*)$", re.MULTILINE)
_LITERALS = re.compile(r'"(?:\\.|[^"\\])*"|\[(?:\\.|[^\]\\])*\]')
_RULE_REF = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
# The escapes llama.cpp's grammar parser knows (parse_char); any other one (a regex's \d or \w) fails the parse.
_ESCAPE = re.compile(r"\\(.)")
_KNOWN_ESCAPES = frozenset('xuUtrn\\"[]')


_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|\[(?:\\.|[^\]\\])*\]|[A-Za-z][A-Za-z0-9-]*|[()|]|[*+?]|\{[^}]*\}|\.')


def _first_refs(tokens: list[str], at: int) -> tuple[set[str], int]:
    """Rules the alternatives from ``tokens[at]`` (to the closing paren) may start with; and where that group ends."""
    starts: set[str] = set()
    expecting_first = True
    depth_end = at
    while depth_end < len(tokens):
        token = tokens[depth_end]
        if token == ")":
            return starts, depth_end + 1
        if token == "|":
            expecting_first = True
            depth_end += 1
            continue
        if token == "(":
            inner, depth_end = _first_refs(tokens, depth_end + 1)
            if expecting_first:
                starts |= inner
            expecting_first = False
            continue
        if expecting_first and _RULE_REF.fullmatch(token):
            starts.add(token)
        if token not in ("*", "+", "?") and not token.startswith("{"):
            expecting_first = False
        depth_end += 1
    return starts, depth_end


def _leading_refs(body: str) -> set[str]:
    """Rules ``body`` may start with (first symbol of each alternative, into groups; nullable prefixes ignored)."""
    return _first_refs(_TOKEN.findall(body), 0)[0]


def gbnf_problems(gbnf: str) -> list[str]:
    """Why llama.cpp would fail to parse ``gbnf``: undefined rules, unknown escapes, left recursion."""
    rules = dict(_RULE_DEF.findall(gbnf))
    problems: list[str] = []
    used: set[str] = set()
    for body in rules.values():
        used.update(_RULE_REF.findall(_LITERALS.sub(" ", body)))
        for literal in _LITERALS.findall(body):
            bad = next((m.group(0) for m in _ESCAPE.finditer(literal) if m.group(1) not in _KNOWN_ESCAPES), None)
            if bad is not None:
                problems.append(f"the escape {bad} (use a character class such as [0-9])")
                break
    if missing := used - set(rules):
        problems.append(f"a reference it cannot resolve ({', '.join(sorted(missing)[:3])})")
    edges = {name: _leading_refs(body) & set(rules) for name, body in rules.items()}
    for start in rules:
        seen: set[str] = set()
        frontier = set(edges[start])
        while frontier:
            if start in frontier:
                problems.append(f"a definition that starts with itself ({start})")
                return problems
            seen |= frontier
            frontier = {nxt for node in frontier for nxt in edges[node]} - seen
    return problems


def grammar_issues(schema: dict[str, Any], field: str) -> list[Issue]:
    """What llama.cpp's JSON-schema → grammar converter refuses in ``schema``, as issues (empty when it converts).

    The conversion is the one the engine runs (same key order); when llama-cpp-python is not installed (a remote
    backend), there is no grammar to check and the structural check stands alone.
    """
    return [Issue("unsupported_schema", f"the decoding grammar cannot express this schema: {problem}", field)
            for problem in _conversion_problems(json.dumps(schema, sort_keys=True))]


@functools.lru_cache(maxsize=256)
def _conversion_problems(key: str) -> tuple[str, ...]:
    """Cached by the schema's text: an SDK sends the same tools with every request."""
    try:
        from llama_cpp.llama_grammar import json_schema_to_gbnf
    except ImportError:
        return ()
    try:
        gbnf = json_schema_to_gbnf(key)
    except RecursionError:
        return ("it references itself without end",)
    except (AssertionError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        return (str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__,)
    return tuple(gbnf_problems(gbnf))


def expressible_issues(schema: Any, field: str) -> list[Issue]:
    """Structural issues first; only a structurally sound schema is handed to the grammar converter."""
    issues = schema_issues(schema, field)
    if issues:
        return issues
    return grammar_issues(decoding_copy(schema), field)
