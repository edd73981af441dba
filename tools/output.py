"""The compact, typed result every tool returns."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tools.presentation import Presentation


@dataclass(frozen=True)
class ApprovalCard:
    """What a person sees to approve a proposal: the drafted document, its impact, who must approve, and the hash
    the approval is bound to. Built by ``tools.proposals.approval_card`` for every proposal tool.

    ``payload()`` is the ``approval_required`` event's payload (SSE, widget, Slack) and the thread's pending approval.
    """

    approval_id: str
    draft: dict[str, Any]
    impact: dict[str, Any]
    payload_hash: str
    approvers: list[str]

    def payload(self) -> dict[str, Any]:
        return {"approval_id": self.approval_id, "draft": self.draft, "impact": self.impact,
                "payload_hash": self.payload_hash, "approvers": self.approvers}


@dataclass(frozen=True)
class ToolOutput:
    """``summary`` is what the model reads and the stream shows; ``data`` holds the figures and record ids.

    A proposal that waits for approval carries its ``approval`` card.
    ``presentation`` is what the user reads (headline, tables); a read tool always sets it. ``query`` is the tool's
    resolved arguments (period, as-of date, account code, ...) as a follow-up may edit them ("and the quarter
    before?"): the thread keeps the last one.
    """

    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    citations: list[dict[str, Any]] = field(default_factory=list)
    approval: ApprovalCard | None = None
    presentation: Presentation | None = None
    query: dict[str, Any] | None = None

    def for_model(self, limit: int = 2400) -> str:
        """Summary plus the data as compact JSON, cut to ``limit`` characters (small context windows)."""
        body = json.dumps(self.data, separators=(",", ":"), default=str)
        text = f"{self.summary}\nDATA: {body}"
        return text if len(text) <= limit else text[: limit - 3] + "..."
