"""What the server runs besides itself, as components with a state each: for ``/readyz`` and ``/metrics``.

``model`` (the chat model, in its supervised process), ``database``, and the local store servers this process uses
(``graph``, ``mongo``). The model down makes the server not ready for chat (503); a store server down makes it
``degraded``: everything else keeps answering.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from erp_core.db import Database
    from server.agent_wiring import Lazy
    from server.bootstrap import Container
    from server.model_provider import ModelProvider

REQUIRED = ("model", "database")


def component_status(container: Container) -> dict[str, dict[str, object]]:
    return statuses(container.models, container.db, (container.graph_stores, container.vector_stores))


def statuses(models: ModelProvider, db: Database, stores: Iterable[Lazy[Any]]) -> dict[str, dict[str, object]]:
    """The model's, the database's and the opened stores' local servers' states."""
    out: dict[str, dict[str, object]] = {"model": models.status(), "database": _database(db)}
    for lazy in stores:
        if lazy.ready:  # never opens a store just to report on it
            local = getattr(lazy(), "local", None)
            if local is not None:
                out.update(local.status())
    return out


def overall(components: dict[str, dict[str, object]]) -> str:
    if any(components[name]["state"] != "ready" for name in REQUIRED if name in components):
        return "not_ready"
    return "ready" if all(c["state"] == "ready" for c in components.values()) else "degraded"


def _database(db: Database) -> dict[str, object]:
    try:
        with db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # readiness reports the failure instead of raising it
        return {"state": "down", "reason": f"database unavailable: {type(exc).__name__}", "restarts": 0}
    return {"state": "ready", "reason": None, "restarts": 0}
