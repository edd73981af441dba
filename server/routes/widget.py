"""The chat widget's assets (``/widget.js``), the demo host page (``/``), its demo sign-in, and the widget's live
event stream (``GET /v1/events``: the pending-approvals badge)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sse_starlette.sse import EventSourceResponse

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from server.deps import ContainerDep
from server.notifications.channels import badge_event
from server.notifications.recipients import pending_count
from server.permissions import ChatActor
from server.sse import SSE_HEADERS

router = APIRouter(tags=["widget"])

# Where the Python package keeps the widget: plain JS/CSS/HTML, no build step.
STATIC = resources.files("server") / "static"
NO_STORE = {"Cache-Control": "no-cache"}


def _asset(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


@router.get("/widget.js", summary="The chat widget: one <script> tag mounts it", include_in_schema=False)
def widget_js() -> Response:
    return Response(_asset("widget.js"), media_type="text/javascript; charset=utf-8", headers=NO_STORE)


@router.get("/widget.css", summary="Widget styles (loaded into its shadow root)", include_in_schema=False)
def widget_css() -> Response:
    return Response(_asset("widget.css"), media_type="text/css; charset=utf-8", headers=NO_STORE)


@router.get("/", response_class=HTMLResponse, summary="Demo host page with the widget", include_in_schema=False)
def demo_page(container: ContainerDep) -> HTMLResponse:
    if not container.settings.demo_page_on():
        raise NexusError(ErrorCode.NOT_FOUND, "the demo page is not enabled")
    return HTMLResponse(_asset("demo.html"), headers=NO_STORE)


LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def _hostname(authority: str) -> str:
    """The host of a ``Host`` header or an origin's authority, without port or IPv6 brackets."""
    if authority.startswith("["):
        return authority[1:].split("]", 1)[0]
    return authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_same_origin(request: Request) -> bool:
    """Whether a request comes from a page this server served to this machine, not from another site.

    - The ``Host`` it was addressed to is a loopback name: a DNS-rebinding page reaches 127.0.0.1 under its own name.
    - The peer is loopback (a peer that is not an IP address, e.g. a Unix socket, is local by construction).
    - A browser's ``Origin`` (when sent) is this very origin, and its ``Sec-Fetch-Site`` (when sent) says same-origin
      (or ``none``: the user typed the address).
    """
    host = request.headers.get("host", "")
    if not host or not _is_loopback(_hostname(host)):
        return False
    peer = request.client.host if request.client else ""
    try:
        if not ipaddress.ip_address(peer).is_loopback:
            return False
    except ValueError:
        pass
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{host}":
        return False
    return request.headers.get("sec-fetch-site", "same-origin") in {"same-origin", "none"}


@router.get("/demo/token", summary="Sign the demo page in as a demo user (dev issuer only)",
            responses={403: {"description": "Not a same-origin request to a loopback address"},
                       404: {"description": "The demo page or the dev issuer is off, or not a demo user"}})
def demo_token(request: Request, container: ContainerDep,
               user: str | None = Query(None, max_length=160, description="A demo user id; default: the demo "
                                                                          "default user.")) -> dict[str, Any]:
    settings = container.settings
    issuer = container.dev_issuer
    wanted = user or settings.demo_default_user
    if issuer is None or not settings.demo_page_on() or wanted not in settings.demo_users:
        # Same answer for "off" and "unknown": nothing to learn from probing.
        raise NexusError(ErrorCode.NOT_FOUND, "demo sign-in is not available")
    if not local_same_origin(request):
        raise NexusError(ErrorCode.FORBIDDEN, "demo sign-in answers only the demo page on this machine "
                                              "(loopback Host, same origin)")
    roles = [r.strip() for r in settings.demo_users[wanted].split(",") if r.strip()]
    tenant = wanted.rsplit("@", 1)[-1]
    ttl = 3600
    token = issuer.issue(wanted, tenant, roles, ttl_s=ttl, name=wanted.split("@", 1)[0].capitalize())
    return {"token": token, "user": wanted, "tenant": tenant, "roles": roles, "expires_in": ttl,
            "users": sorted(settings.demo_users)}


def _frame(event: dict[str, Any]) -> dict[str, Any]:
    return {"event": event["event"], "data": json.dumps(event["data"], separators=(",", ":"), default=str)}


def _badge_now(container: Any, actor: Actor) -> dict[str, Any]:
    with container.db.read() as session:
        return badge_event(pending_count(session, actor))


@router.get("/v1/events", response_class=EventSourceResponse, summary="Live events for the widget (SSE)",
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "approvals {pending} now and whenever it changes; ping every 15 s"}})
async def events(actor: ChatActor, container: ContainerDep) -> EventSourceResponse:
    hub, metrics = container.event_hub, container.metrics
    first = await asyncio.to_thread(_badge_now, container, actor)

    async def stream() -> AsyncIterator[dict[str, Any]]:
        sub = hub.subscribe(actor.tenant, actor.user_id)
        metrics.active_streams.inc()
        try:
            yield _frame(first)
            while True:
                yield _frame(await sub.queue.get())
        finally:
            hub.unsubscribe(sub)
            metrics.active_streams.dec()

    return EventSourceResponse(stream(), headers=SSE_HEADERS, ping=15)
