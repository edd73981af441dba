"""Stores reach tools through providers that are called only when a tool asks, and a store that is down is None."""

from __future__ import annotations

from typing import Any

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from tools.context import ToolContext

ACTOR = Actor(user_id="alice@acme", tenant="acme", roles=frozenset({"accountant"}))


def test_providers_are_called_only_when_a_tool_asks() -> None:
    calls: list[str] = []

    def documents() -> Any:
        calls.append("documents")
        return "search service"

    ctx = ToolContext(actor=ACTOR, db=None, documents_provider=documents,  # type: ignore[arg-type]
                      graph_provider=lambda: calls.append("graph"))
    assert calls == []
    assert ctx.document_search() == "search service" and calls == ["documents"]


def test_a_store_that_is_down_is_none_for_the_tool() -> None:
    def down() -> Any:
        raise NexusError(ErrorCode.STORE_UNAVAILABLE, "graph is unavailable: port in use")

    ctx = ToolContext(actor=ACTOR, db=None, graph_provider=down)  # type: ignore[arg-type]
    assert ctx.graph_store() is None


def test_a_given_store_wins_over_a_provider() -> None:
    ctx = ToolContext(actor=ACTOR, db=None, graph="given", graph_provider=lambda: "opened")  # type: ignore[arg-type]
    assert ctx.graph_store() == "given"
