"""What one turn streamed, with its timings: the raw material every scorer and the report read."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from agent.events import (
    ApprovalRequired,
    Citation,
    Done,
    Error,
    Event,
    Suggestions,
    Table,
    Token,
    ToolCall,
    ToolResult,
)
from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor


@dataclass
class Turn:
    """One streamed turn. ``ttft_ms`` is the time to the first answer token; ``error`` holds a crash's text."""

    message: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_results: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    approvals: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    answer: str = ""
    usage: dict[str, int] = field(default_factory=dict)
    done: dict[str, Any] = field(default_factory=dict)
    ttft_ms: float | None = None
    latency_ms: float = 0.0
    crash: str | None = None

    @property
    def tools(self) -> list[str]:
        return [call["tool"] for call in self.tool_calls]

    def visible_text(self) -> str:
        """Everything the user could read: the answer, tool result summaries and citation snippets."""
        parts = [self.answer, *(r["summary"] for r in self.tool_results),
                 *(f"{c['title']} {c['snippet']}" for c in self.citations)]
        return "\n".join(parts)

    def shown_text(self) -> str:
        """What a client shows as the answer: every ``token`` text, then each ``table`` event's title, column
        names and cells, one row a line (the conversation suite scores this)."""
        parts = [self.answer]
        for table in self.tables:
            parts.append(str(table.get("title", "")))
            parts.extend(" | ".join(str(cell) for cell in row) for row in [table.get("columns", []),
                                                                            *table.get("rows", [])])
        return "\n".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("message", "tool_calls", "tool_results", "citations", "approvals",
                                              "errors", "tables", "suggestions", "answer", "usage", "ttft_ms",
                                              "latency_ms", "crash")}


async def record(stream: AsyncIterator[Event], message: str, *, stop_after_tool_call: bool = False) -> Turn:
    """Drain ``stream`` into a Turn. ``stop_after_tool_call`` ends the turn at its first tool call (tool-choice
    cases need nothing after it, and skipping the answer halves their cost on a CPU)."""
    turn = Turn(message=message)
    started = time.perf_counter()
    try:
        async for event in stream:
            _add(turn, event, started)
            if stop_after_tool_call and isinstance(event, ToolCall):
                break
    except NexusError as exc:  # the server turns these into an `error` event; only INTERNAL is a crash
        turn.errors.append({"code": exc.code.value, "message": exc.message, "retryable": False})
        if exc.code == ErrorCode.INTERNAL:
            turn.crash = f"NexusError: {exc.message}"
    except Exception as exc:  # a crash is a finding to report, not a reason to stop the whole run
        turn.crash = f"{type(exc).__name__}: {exc}"
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
    turn.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    return turn


def _add(turn: Turn, event: Event, started: float) -> None:
    if isinstance(event, Token):
        if turn.ttft_ms is None and event.text.strip():
            turn.ttft_ms = round((time.perf_counter() - started) * 1000, 1)
        turn.answer += event.text
    elif isinstance(event, ToolCall):
        turn.tool_calls.append({"id": event.id, "tool": event.tool, "args": event.args})
    elif isinstance(event, ToolResult):
        turn.tool_results.append({"id": event.id, "ok": event.ok, "summary": event.summary})
    elif isinstance(event, Citation):
        turn.citations.append(event.payload())
    elif isinstance(event, Table):
        turn.tables.append(event.payload())
    elif isinstance(event, Suggestions):
        turn.suggestions.extend(event.items)
    elif isinstance(event, ApprovalRequired):
        turn.approvals.append({"approval_id": event.approval_id, "payload_hash": event.payload_hash,
                               "approvers": event.approvers})
    elif isinstance(event, Error):
        turn.errors.append(event.payload())
    elif isinstance(event, Done):
        turn.usage = dict(event.usage)
        turn.done = event.payload()
    turn.answer = turn.answer if len(turn.answer) < 20_000 else turn.answer[:20_000]


async def tool_results(agent: Any, actor: Actor, thread_id: str) -> list[dict[str, Any]]:
    """The tool results of the thread's latest turn (tool, summary, data) as the agent checkpointed them: the data
    a shown figure must come from. Empty when the agent keeps no such state."""
    graph = await agent.graph()
    # The checkpoint key is the agent's own (tenant-scoped thread id): read it the way AgentTurns writes it.
    state = await graph.aget_state(agent._config(actor, thread_id))
    return [r for r in (state.values or {}).get("results") or [] if isinstance(r, dict)]
