"""``GET /metrics``: Prometheus text exposition of the app's registry."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from server.deps import ContainerDep
from server.metrics import metrics_of

router = APIRouter(tags=["observability"])


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def metrics(container: ContainerDep) -> Response:
    return Response(generate_latest(metrics_of(container).registry), media_type=CONTENT_TYPE_LATEST)
