"""OpenTelemetry spans around turns, model calls, tools and store queries. The exporter is off by default.

Spans are always made (cheap); ``otel_exporter=console`` prints them, and tests attach an in-memory exporter. Model
and tool spans come from a LangChain callback handler registered as a *configure hook*: while a turn runs, every
LangChain/LangGraph model or tool call inside it reports to the handler without the agent code knowing about tracing.
Store spans come from SQLAlchemy cursor events on the ERP database engine.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.tracers.context import register_configure_hook
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

if TYPE_CHECKING:
    from langchain_core.outputs import LLMResult
    from sqlalchemy.engine import Engine

# While a turn runs, LangChain adds this handler to every run it configures (inheritable: nested runs too).
_turn_handler: contextvars.ContextVar[BaseCallbackHandler | None] = contextvars.ContextVar(
    "nexus_otel_handler", default=None)
register_configure_hook(_turn_handler, inheritable=True)


class Telemetry:
    """Owns a TracerProvider (not the global one: several apps may live in one process)."""

    def __init__(self, service_name: str = "nexus", exporter: str = "none") -> None:
        self.provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        if exporter == "console":
            self.provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
        self.tracer = self.provider.get_tracer("nexus")
        self.model_handler = SpanCallbackHandler(self)

    def add_span_processor(self, processor: SpanProcessor) -> None:
        self.provider.add_span_processor(processor)

    @contextmanager
    def span(self, name: str, **attributes: Any) -> Iterator[Span]:
        with self.tracer.start_as_current_span(name, attributes=_clean(attributes)) as span:
            yield span  # type: ignore[misc]

    def start_span(self, name: str, **attributes: Any) -> Span:
        return self.tracer.start_span(name, attributes=_clean(attributes))  # type: ignore[return-value]

    @contextmanager
    def langchain_calls(self, parent: Span | None = None) -> Iterator[None]:
        """Within this block, LangChain model and tool runs report spans to this Telemetry (children of ``parent``)."""
        from opentelemetry import context, trace

        token = _turn_handler.set(self.model_handler)
        attached = context.attach(trace.set_span_in_context(parent)) if parent is not None else None
        try:
            yield
        finally:
            try:
                if attached is not None:
                    context.detach(attached)
                _turn_handler.reset(token)
            except ValueError:  # an async generator finished in another context; the variables die with it
                _turn_handler.set(None)

    def instrument_engine(self, engine: Engine) -> None:
        """One span per SQL statement on ``engine`` (named by the statement's verb)."""
        from sqlalchemy import event

        def before(conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
            verb = statement.lstrip().split(" ", 1)[0].upper() if statement else "SQL"
            context._nexus_span = self.start_span(f"db.{verb.lower()}", **{"db.system": conn.dialect.name,
                                                                            "db.operation": verb})

        def after(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool) -> None:
            span = getattr(context, "_nexus_span", None)
            if span is not None:
                span.end()

        def failed(context: Any) -> None:
            span = getattr(context.execution_context, "_nexus_span", None) if context.execution_context else None
            if span is not None:
                span.set_status(Status(StatusCode.ERROR, type(context.original_exception).__name__))
                span.end()

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        event.listen(engine, "handle_error", failed)

    def shutdown(self) -> None:
        self.provider.shutdown()


class SpanCallbackHandler(BaseCallbackHandler):
    """LangChain callbacks → spans: ``llm.<model>`` for chat model calls, ``tool.<name>`` for tools."""

    # Called inline from async code (no thread-pool hop per streamed token: these methods only touch spans).
    run_inline = True

    def __init__(self, telemetry: Telemetry) -> None:
        self._telemetry = telemetry
        self._spans: dict[UUID, Span] = {}

    def on_chat_model_start(self, serialized: dict[str, Any] | None, messages: list[list[Any]], *, run_id: UUID,
                            **kwargs: Any) -> None:
        name = (kwargs.get("invocation_params") or {}).get("_type") or (serialized or {}).get("name") or "chat"
        self._spans[run_id] = self._telemetry.start_span(f"llm.{name}", **{"llm.messages": len(messages[0])
                                                                             if messages else 0})

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._spans.pop(run_id, None)
        if span is None:
            return
        usage = _usage_of(response)
        for key, value in usage.items():
            span.set_attribute(f"llm.usage.{key}", value)
        span.end()

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    def on_tool_start(self, serialized: dict[str, Any] | None, input_str: str, *, run_id: UUID,
                      **kwargs: Any) -> None:
        name = (serialized or {}).get("name") or kwargs.get("name") or "tool"
        self._spans[run_id] = self._telemetry.start_span(f"tool.{name}", **{"tool.name": name})

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._spans.pop(run_id, None)
        if span is not None:
            span.end()

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    def _fail(self, run_id: UUID, error: BaseException) -> None:
        span = self._spans.pop(run_id, None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            span.end()


def _usage_of(response: LLMResult) -> dict[str, int]:
    for generations in response.generations:
        for generation in generations:
            message = getattr(generation, "message", None)
            usage = getattr(message, "usage_metadata", None)
            if usage:
                return {k: int(v) for k, v in usage.items() if isinstance(v, int)}
    return {}


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if isinstance(v, str | int | float | bool)}
