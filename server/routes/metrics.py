"""``GET /metrics``: Prometheus text exposition of the app's registry, for scrapers only.

The figures (tenants' request rates, tool names, error counts) are not for the public: with ``NEXUS_METRICS_TOKEN``
set, a scraper sends ``Authorization: Bearer <token>``; without it, only a client on this machine (loopback peer and
loopback ``Host``) is answered. Anyone else gets 404, as if the route did not exist.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from erp_core.errors import ErrorCode, NexusError
from server.deps import ContainerDep
from server.routes.widget import local_same_origin

router = APIRouter(tags=["observability"])


def scraper_allowed(request: Request, token: str | None) -> bool:
    if token:
        sent = request.headers.get("authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    return local_same_origin(request)


@router.get("/metrics", summary="Prometheus metrics (token or loopback only)", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}, 404: {"description": "Not a permitted scraper"}})
def metrics(request: Request, container: ContainerDep) -> Response:
    secret = container.settings.metrics_token
    if not scraper_allowed(request, secret.get_secret_value() if secret else None):
        raise NexusError(ErrorCode.NOT_FOUND, "not found")
    return Response(generate_latest(container.metrics.registry), media_type=CONTENT_TYPE_LATEST)
