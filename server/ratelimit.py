"""Per-user and per-tenant rate limits with the ``limits`` library: in-memory by default, Redis when configured.

The middleware authenticates the bearer token once (the Actor is cached on the request for ``current_actor``), then
counts the request against the user's and the tenant's moving windows. Over either limit: 429 with ``Retry-After``.
Requests without a valid token pass through untouched so the route itself answers 401 the usual way.

Limits are per route class. Chat, the OpenAI-compatible API and every other route share the user's default window.
GL writes (POST/PUT/PATCH/DELETE under ``/v1/gl/``) count in a window of their own with a higher default
(``rate_limit_gl_write``): an integration posting its ledger is not throttled like a person chatting, and a batch
of up to 5,000 entries counts as one request. The tenant's window counts every request of every class.
"""

from __future__ import annotations

import inspect
import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter as SyncMovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from server.errors import error_response

if TYPE_CHECKING:
    from server.auth import Authenticator
    from server.metrics import Metrics
    from server.settings import Settings

log = logging.getLogger("nexus.ratelimit")

# Liveness, metrics, static assets and Slack (which signs its requests instead of sending tokens) are not throttled.
EXEMPT_PREFIXES = ("/healthz", "/readyz", "/metrics", "/widget", "/slack/", "/docs", "/openapi.json", "/demo/")


GL_WRITE = "gl_write"
DEFAULT_CLASS = "default"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def route_class(method: str, path: str) -> str:
    """The rate-limit class of a request: ``gl_write`` for GL writes, ``default`` for the rest."""
    return GL_WRITE if method in _WRITE_METHODS and path.startswith("/v1/gl/") else DEFAULT_CLASS


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0
    scope: str = ""


class RateLimits:
    """Two moving windows per request: ``tenant:user`` and ``tenant``.

    Redis is reached through the library's asyncio storage. The in-process default uses its synchronous storage:
    a hit is a few dictionary operations, while the asyncio memory storage sends every key of every expiry sweep
    through a worker thread — hundreds of thread hops per sweep with a few hundred active users.
    """

    def __init__(self, user_limit: str, tenant_limit: str, storage_url: str | None = None, *,
                 gl_write_limit: str | None = None) -> None:
        self.user_item: RateLimitItem = parse(user_limit)
        self.tenant_item: RateLimitItem = parse(tenant_limit)
        # Per-user windows by route class; a class without its own limit counts in the default window.
        self.class_items: dict[str, RateLimitItem] = {DEFAULT_CLASS: self.user_item}
        if gl_write_limit:
            self.class_items[GL_WRITE] = parse(gl_write_limit)
        if storage_url:
            self.storage = storage_from_string(f"async+{storage_url}", implementation="redispy")
            self.limiter: Any = MovingWindowRateLimiter(self.storage)
        else:
            self.storage = storage_from_string("memory://")
            self.limiter = SyncMovingWindowRateLimiter(self.storage)

    async def hit(self, actor: Actor, route: str = DEFAULT_CLASS) -> Verdict:
        if route not in self.class_items:
            route = DEFAULT_CLASS
        # The default class keeps its historical key, so existing counters (Redis) carry over.
        user_keys = ("user", actor.tenant, actor.user_id) if route == DEFAULT_CLASS else \
            (route, actor.tenant, actor.user_id)
        for item, keys, scope in ((self.class_items[route], user_keys, "user" if route == DEFAULT_CLASS else route),
                                  (self.tenant_item, ("tenant", actor.tenant), "tenant")):
            if not await _settled(self.limiter.hit(item, *keys)):
                stats = await _settled(self.limiter.get_window_stats(item, *keys))
                return Verdict(False, max(1, math.ceil(stats.reset_time - time.time())), scope)
        return Verdict(True)

    async def reset(self) -> None:
        await _settled(self.storage.reset())


async def _settled(result: Any) -> Any:
    """A limiter or storage call's value: awaited from the asyncio (Redis) flavour, as is from the in-process one."""
    return await result if inspect.isawaitable(result) else result


def build_rate_limits(settings: Settings) -> RateLimits | None:
    """The configured limits, or None when rate limiting is off."""
    if not settings.rate_limit_enabled:
        return None
    return RateLimits(settings.rate_limit_user, settings.rate_limit_tenant, settings.redis_url,
                      gl_write_limit=settings.rate_limit_gl_write)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: RateLimits | None, authenticator: Authenticator,
                 metrics: Metrics) -> None:
        self.app = app
        self.limits = limits
        self.authenticator = authenticator
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.limits is None or scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES) \
                or scope["path"] == "/":
            await self.app(scope, receive, send)
            return
        authorization = dict(scope.get("headers") or []).get(b"authorization")
        if not authorization:
            await self.app(scope, receive, send)
            return
        try:
            actor = self.authenticator.authenticate(authorization.decode("latin-1"))
        except NexusError:
            await self.app(scope, receive, send)  # the route answers 401 with the precise reason
            return
        scope.setdefault("state", {})["actor"] = actor
        verdict = await self.limits.hit(actor, route_class(scope.get("method", "GET"), scope["path"]))
        if not verdict.allowed:
            log.info("rate limited %s (%s limit), retry after %ss", actor.user_id, verdict.scope, verdict.retry_after_s)
            self.metrics.rate_limited.labels(scope=verdict.scope).inc()
            err = NexusError(ErrorCode.RATE_LIMITED, f"too many requests ({verdict.scope} limit); retry in "
                                                     f"{verdict.retry_after_s}s")
            response = error_response(err, headers={"Retry-After": str(verdict.retry_after_s)})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
