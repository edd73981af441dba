"""What the server runs besides itself, as components with a state each: for ``/readyz`` and ``/metrics``.

``model`` (the chat model, in its supervised process), ``database``, and the local store servers this process uses
(``graph``, ``mongo``). The model down makes the server not ready for chat (503); a store server down makes it
``degraded``: everything else keeps answering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from server.bootstrap import Container

REQUIRED = ("model", "database")


def component_status(container: Container) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {"model": container.models.status(), "database": _database(container)}
    for name in ("graph_stores", "vector_stores"):
        lazy: Any = container.extras.get(name)
        if lazy is not None and lazy.ready:  # never opens a store just to report on it
            local = getattr(lazy(), "local", None)
            if local is not None:
                out.update(local.status())
    return out


def overall(components: dict[str, dict[str, object]]) -> str:
    if any(components[name]["state"] != "ready" for name in REQUIRED if name in components):
        return "not_ready"
    return "ready" if all(c["state"] == "ready" for c in components.values()) else "degraded"


def _database(container: Container) -> dict[str, object]:
    try:
        with container.db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # readiness reports the failure instead of raising it
        return {"state": "down", "reason": f"database unavailable: {type(exc).__name__}", "restarts": 0}
    return {"state": "ready", "reason": None, "restarts": 0}
