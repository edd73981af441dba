"""Tools described (@tool attaches a ToolSpec: permission tags, example utterances for routing, schema) and the
registry an agent reads them from. Which tools exist is one table, tools/catalog.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from erp_core.identity import Actor
from tools.context import ToolContext
from tools.output import ToolOutput

A = TypeVar("A", bound=BaseModel)
ToolFn = Callable[[ToolContext, Any], ToolOutput]
UTTERANCES = Path(__file__).with_name("utterances.yaml")
DIRECT_ANSWER = "answer"  # the utterances.yaml key for requests that need no tool (greetings, questions about us)


@cache
def extra_utterances() -> dict[str, tuple[str, ...]]:
    """Paraphrases per tool kept as data (utterances.yaml), added to the decorator's examples for routing."""
    raw = yaml.safe_load(UTTERANCES.read_text(encoding="utf-8")) or {}
    return {str(name): tuple(str(text) for text in texts or ()) for name, texts in raw.items()}


def direct_utterances() -> tuple[str, ...]:
    """Requests the assistant answers without a tool; the router weighs them like one more tool."""
    return extra_utterances().get(DIRECT_ANSWER, ())


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[BaseModel]
    run: ToolFn
    roles: frozenset[str]  # the actor needs at least one of these; empty: every authenticated user
    examples: tuple[str, ...]
    proposes: bool = False  # creates a draft for human approval (never posts by itself)
    # Arguments the request's own words determine, drafted without the model (erp_core.resolve.entry_drafts): they
    # replace what the model wrote for the same fields. None for tools whose arguments are only read by grounding.
    drafts: Callable[[str], dict[str, Any] | None] | None = None

    def allowed(self, actor: Actor) -> bool:
        return not self.roles or actor.has_role(*self.roles) or actor.has_role("admin")

    def json_schema(self) -> dict[str, Any]:
        """The argument schema (built once per model class: every turn reads it several times). Do not mutate."""
        return _schema_of(self.args)


@cache
def _schema_of(args: type[BaseModel]) -> dict[str, Any]:
    return args.model_json_schema()


def tool(name: str, args: type[A], *, roles: Iterable[str] = (), examples: Iterable[str], proposes: bool = False,
         drafts: Callable[[str], dict[str, Any] | None] | None = None
         ) -> Callable[[Callable[[ToolContext, A], ToolOutput]], Callable[..., ToolOutput]]:
    """Decorator: describes a tool function by attaching its ToolSpec (read back with spec_of); it registers nothing.
    The function's docstring first paragraph is the description the model sees."""

    def wrap(fn: Callable[[ToolContext, A], ToolOutput]) -> Callable[..., ToolOutput]:
        doc = (fn.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        said = (*examples, *extra_utterances().get(name, ()))
        setattr(fn, _SPEC, ToolSpec(name=name, description=doc, args=args, run=fn, roles=frozenset(roles),
                                    examples=said, proposes=proposes, drafts=drafts))
        return fn

    return wrap


_SPEC = "__tool_spec__"  # the attribute the decorator sets on a tool function


def spec_of(fn: Callable[..., ToolOutput]) -> ToolSpec:
    """The ToolSpec a function was described with by @tool."""
    spec = getattr(fn, _SPEC, None)
    if not isinstance(spec, ToolSpec):
        raise TypeError(f"{getattr(fn, '__qualname__', fn)!r} is not a tool: decorate it with @tool")
    return spec


class ToolRegistry:
    """The tools one agent offers, by name, in the order given (the catalog's order for the product)."""

    def __init__(self, specs: Iterable[ToolSpec] = ()) -> None:
        self._tools: dict[str, ToolSpec] = {}
        for spec in specs:
            self.add(spec)

    @classmethod
    def of(cls, functions: Iterable[Callable[..., ToolOutput]]) -> ToolRegistry:
        """A registry of @tool-decorated functions."""
        return cls(spec_of(fn) for fn in functions)

    def add(self, spec: ToolSpec) -> None:
        if spec.name in self._tools:
            raise ValueError(f"tool {spec.name!r} registered twice")
        if not spec.examples:
            raise ValueError(f"tool {spec.name!r} needs example utterances for routing")
        self._tools[spec.name] = spec

    def get(self, name: str) -> ToolSpec:
        return self._tools[name]

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def all(self) -> list[ToolSpec]:
        return list(self._tools.values())

    def for_actor(self, actor: Actor) -> list[ToolSpec]:
        """Only the tools this actor may use: the model is never shown the others."""
        return [spec for spec in self._tools.values() if spec.allowed(actor)]
