"""The compact, typed result every tool returns."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolOutput:
    """``summary`` is what the model reads and the stream shows; ``data`` holds the figures and record ids.

    A proposal that waits for approval carries ``approval`` (approval_id, draft, impact, payload_hash, approvers).
    """

    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    citations: list[dict[str, Any]] = field(default_factory=list)
    approval: dict[str, Any] | None = None

    def for_model(self, limit: int = 2400) -> str:
        """Summary plus the data as compact JSON, cut to ``limit`` characters (small context windows)."""
        body = json.dumps(self.data, separators=(",", ":"), default=str)
        text = f"{self.summary}\nDATA: {body}"
        return text if len(text) <= limit else text[: limit - 3] + "..."
