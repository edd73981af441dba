"""What a tool run may use: the acting user, the database and the retrieval services. Built per turn by the agent."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from erp_core.db import Database
from erp_core.errors import NexusError
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
    # The agent hands over providers instead: a store is opened when a tool first asks for it, in the tool's thread,
    # so a turn that never searches neither waits for the vector store or graph server nor fails when one is down.
    documents_provider: Callable[[], DocumentSearch] | None = None
    graph_provider: Callable[[], Any] | None = None

    def document_search(self) -> DocumentSearch | None:
        """The document search service, or None when none is configured or its store is down."""
        return self.documents if self.documents is not None else _open(self.documents_provider)

    def graph_store(self) -> Any | None:
        """The graph store (named queries only), or None when none is configured or the server is down."""
        return self.graph if self.graph is not None else _open(self.graph_provider)


log = logging.getLogger("nexus.tools")


def _open(provider: Callable[[], Any] | None) -> Any:
    """A store the tools may use, or None when it is down: only the tools that need it fail, and say so."""
    if provider is None:
        return None
    try:
        return provider()
    except NexusError as exc:
        log.warning("store unavailable for this turn: %s", exc)
        return None
