"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from server.components import component_status, overall
from server.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the model process and the database answer; per-component states",
            responses={503: {"description": "Not ready; `reasons` says why"}})
def readyz(container: ContainerDep) -> JSONResponse:
    components = component_status(container)
    status = overall(components)
    body = {"status": status, "model": container.models.model_name, "components": components}
    if status == "not_ready":
        body["reasons"] = [f"{name}: {c['reason'] or c['state']}" for name, c in components.items()
                           if c["state"] != "ready"]
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    return JSONResponse(body)
