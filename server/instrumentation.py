"""A TurnService decorator that measures every turn, whichever surface streams it (SSE, widget, Slack).

It records time to first token, tokens, tool calls by name and outcome and approvals requested in Prometheus, and
opens an OpenTelemetry span per turn (with the model and tool spans of LangChain nested inside it).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import cast

from agent.events import ApprovalRequired, Done, Error, Event, Token, ToolCall, ToolResult
from agent.turns import TurnService
from erp_core.identity import Actor
from server.metrics import Metrics
from server.telemetry import Telemetry

# Which surface started the turn ("sse", "slack", ...): set by the caller, read for metric labels.
surface: ContextVar[str] = ContextVar("nexus_turn_surface", default="sse")


class InstrumentedTurns:
    """Measures and traces new turns (``run``) and resumed ones (``resume``) alike."""

    def __init__(self, inner: TurnService, metrics: Metrics, telemetry: Telemetry) -> None:
        self.inner = inner
        self._metrics = metrics
        self._telemetry = telemetry

    def run(self, actor: Actor, message: str, thread_id: str) -> AsyncIterator[Event]:
        return self._observe(actor, thread_id, lambda: self.inner.run(actor, message, thread_id))

    def resume(self, actor: Actor, thread_id: str) -> AsyncIterator[Event]:
        return self._observe(actor, thread_id, lambda: self.inner.resume(actor, thread_id))

    # Optional capabilities of the wrapped service (the agent has them; plain answers and test doubles may not).
    async def thread_owner(self, actor: Actor, thread_id: str) -> str | None:
        """Who started ``thread_id`` in the actor's tenant; None when the service keeps no such thread."""
        owner_of = getattr(self.inner, "thread_owner", None)
        return None if owner_of is None else cast("str | None", await owner_of(actor, thread_id))

    async def aclose(self) -> None:
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            await close()

    async def _observe(self, actor: Actor, thread_id: str,
                       turn: Callable[[], AsyncIterator[Event]]) -> AsyncIterator[Event]:
        m, where = self._metrics, surface.get()
        started = time.perf_counter()
        first_token = True
        tools: dict[str, str] = {}
        outcome = "ok"
        span = self._telemetry.start_span("nexus.turn", **{"nexus.tenant": actor.tenant, "nexus.thread_id": thread_id,
                                                           "nexus.surface": where})
        try:
            with self._telemetry.langchain_calls(parent=span):
                async for event in turn():
                    if isinstance(event, Token) and first_token:
                        first_token = False
                        m.ttft.labels(surface=where).observe(time.perf_counter() - started)
                    elif isinstance(event, ToolCall):
                        tools[event.id] = event.tool
                    elif isinstance(event, ToolResult):
                        name = tools.pop(event.id, "unknown")
                        m.tool_calls.labels(tool=name, outcome="ok" if event.ok else "error").inc()
                    elif isinstance(event, ApprovalRequired):
                        m.approvals.labels(event="requested", channel=where).inc()
                    elif isinstance(event, Error):
                        outcome = "error"
                    elif isinstance(event, Done):
                        m.tokens.labels(kind="input").inc(event.usage.get("input_tokens", 0))
                        m.tokens.labels(kind="output").inc(event.usage.get("output_tokens", 0))
                    yield event
        except BaseException:
            outcome = "error"
            raise
        finally:
            for name in tools.values():  # calls that never reported a result
                m.tool_calls.labels(tool=name, outcome="error").inc()
            m.turns.labels(surface=where, outcome=outcome).inc()
            m.turn_latency.labels(surface=where).observe(time.perf_counter() - started)
            span.set_attribute("nexus.outcome", outcome)
            span.end()
