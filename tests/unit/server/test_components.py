"""How component states add up to readiness: the model or the database down is not ready; a store server down is
degraded (still serving)."""

from __future__ import annotations

from server.components import overall


def state(name: str) -> dict[str, object]:
    return {"state": name, "reason": None if name == "ready" else "x", "restarts": 0}


def test_all_ready() -> None:
    assert overall({"model": state("ready"), "database": state("ready"), "graph": state("ready")}) == "ready"


def test_a_store_server_down_is_degraded() -> None:
    assert overall({"model": state("ready"), "database": state("ready"), "graph": state("down")}) == "degraded"


def test_the_model_restarting_or_the_database_down_is_not_ready() -> None:
    assert overall({"model": state("starting"), "database": state("ready")}) == "not_ready"
    assert overall({"model": state("ready"), "database": state("down"), "mongo": state("ready")}) == "not_ready"
