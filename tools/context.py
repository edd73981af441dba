"""What a tool run may use: the acting user, the database and the retrieval services. Built per turn by the agent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from erp_core.db import Database
from erp_core.identity import Actor

if TYPE_CHECKING:
    from retrieval.search import DocumentSearch


@dataclass(frozen=True)
class ToolContext:
    actor: Actor
    db: Database
    today: dt.date = field(default_factory=dt.date.today)
    documents: DocumentSearch | None = None
    graph: Any | None = None  # retrieval GraphStore (named queries only) when the graph store is up
    anomaly_scorer: Any | None = None  # erp_core.ledger.ports.AnomalyScorer for proposed journal entries
    thread_id: str | None = None
