"""What a turn streams, independent of transport. The server turns these into SSE events (ARCHITECTURE.md contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Event:
    name: ClassVar[str]

    def payload(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Token(Event):
    name: ClassVar[str] = "token"
    text: str


@dataclass(frozen=True, slots=True)
class ToolCall(Event):
    name: ClassVar[str] = "tool_call"
    id: str
    tool: str
    args: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        # The contract names the tool field "name".
        return {"id": self.id, "name": self.tool, "args": self.args}


@dataclass(frozen=True, slots=True)
class ToolResult(Event):
    name: ClassVar[str] = "tool_result"
    id: str
    ok: bool
    summary: str


@dataclass(frozen=True, slots=True)
class Citation(Event):
    name: ClassVar[str] = "citation"
    doc_id: str
    chunk_id: str
    title: str
    snippet: str


@dataclass(frozen=True, slots=True)
class ApprovalRequired(Event):
    name: ClassVar[str] = "approval_required"
    approval_id: str
    draft: dict[str, Any]
    impact: dict[str, Any]
    payload_hash: str
    approvers: list[str]


@dataclass(frozen=True, slots=True)
class Table(Event):
    """A table the client renders as structure (and a small chart when ``series`` is set)."""

    name: ClassVar[str] = "table"
    title: str
    columns: list[str]
    rows: list[list[str]]
    series: dict[str, Any] | None = None

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title, "columns": self.columns, "rows": self.rows}
        if self.series is not None:
            body["series"] = self.series
        return body


@dataclass(frozen=True, slots=True)
class Suggestions(Event):
    """Things the assistant can do next, shown as chips (also when nothing fits the request)."""

    name: ClassVar[str] = "suggestions"
    items: list[str]


@dataclass(frozen=True, slots=True)
class Error(Event):
    name: ClassVar[str] = "error"
    code: str
    message: str
    retryable: bool


@dataclass(frozen=True, slots=True)
class Done(Event):
    name: ClassVar[str] = "done"
    thread_id: str
    usage: dict[str, int] = field(default_factory=dict)
    latency_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"thread_id": self.thread_id, "usage": self.usage, "latency_ms": self.latency_ms}
        body.update(self.extra)
        return body
