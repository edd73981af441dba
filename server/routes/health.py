"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from server.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the model is loaded and the database answers",
            responses={503: {"description": "Not ready; `reasons` says why"}})
def readyz(container: ContainerDep) -> JSONResponse:
    reasons = []
    model_reason = container.models.not_ready_reason()
    if model_reason:
        reasons.append(model_reason)
    try:
        with container.db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:  # readiness reports the failure instead of raising it
        reasons.append(f"database unavailable: {type(exc).__name__}")
    if reasons:
        return JSONResponse({"status": "not_ready", "reasons": reasons}, status_code=503,
                            headers={"Retry-After": "5"})
    return JSONResponse({"status": "ready", "model": container.models.model_name})
