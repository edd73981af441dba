"""Prometheus metrics: HTTP requests and latencies, time to first token, tokens, tool calls, approvals.

One ``Metrics`` object (own registry) per container, so several apps in one process (tests) never collide.
``/metrics`` (``server.routes.metrics``) renders the registry in the text exposition format.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
TTFT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30)
APPROVAL_ROUTES = {"/v1/approvals/{approval_id}/approve": "approved", "/v1/approvals/{approval_id}/reject": "rejected"}


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter("nexus_http_requests", "HTTP requests by route template and status.",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("nexus_http_request_duration_seconds", "Time until the response is complete.",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=r)
        self.ttft = Histogram("nexus_chat_ttft_seconds", "Time from the start of a turn to its first token.",
                              ["surface"], buckets=TTFT_BUCKETS, registry=r)
        self.turn_latency = Histogram("nexus_chat_turn_seconds", "Duration of a whole chat turn.",
                                      ["surface"], buckets=LATENCY_BUCKETS, registry=r)
        self.turns = Counter("nexus_chat_turns", "Chat turns by surface and outcome (ok, error).",
                             ["surface", "outcome"], registry=r)
        self.tokens = Counter("nexus_llm_tokens", "Model tokens by kind (input, output).", ["kind"], registry=r)
        self.tool_calls = Counter("nexus_tool_calls", "Tool calls by tool name and outcome (ok, error).",
                                  ["tool", "outcome"], registry=r)
        self.approvals = Counter("nexus_approvals", "Approval events: requested (shown to a user), approved, "
                                                    "rejected.", ["event", "channel"], registry=r)
        self.rate_limited = Counter("nexus_rate_limited", "Requests refused with 429, by limit.", ["scope"],
                                    registry=r)
        self.notifications = Counter("nexus_notifications", "Notification deliveries by channel and outcome.",
                                     ["channel", "outcome"], registry=r)
        self.active_streams = Gauge("nexus_event_streams_open", "Open widget event streams.", registry=r)


ComponentStatus = Callable[[], dict[str, dict[str, object]]]


def build_metrics(component_status: ComponentStatus) -> Metrics:
    """A container's Metrics, with each component's state read at scrape time (``server.components``)."""
    metrics = Metrics()
    metrics.registry.register(ComponentCollector(component_status))
    return metrics


class ComponentCollector(Collector):
    """Each supervised component's state and restarts, read at scrape time."""

    def __init__(self, component_status: ComponentStatus) -> None:
        self._component_status = component_status

    def describe(self) -> list[Metric]:
        return []  # nothing to read at registration: the states exist only at scrape time

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("nexus_component_up", "1 when the component is ready, 0 when starting or down.",
                               labels=["component", "state"])
        restarts = CounterMetricFamily("nexus_component_restarts", "Times a supervised process was restarted.",
                                       labels=["component"])
        for name, status in self._component_status().items():
            state = str(status["state"])
            up.add_metric([name, state], 1.0 if state == "ready" else 0.0)
            restarts.add_metric([name], float(str(status.get("restarts", 0))))
        yield up
        yield restarts


class MetricsMiddleware:
    """Pure ASGI (streams pass through untouched): counts requests and times them until the body is complete."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observing_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope.get("method", "GET")
            self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=route).observe(time.perf_counter() - started)
            if route in APPROVAL_ROUTES and status == 200:
                self.metrics.approvals.labels(event=APPROVAL_ROUTES[route], channel="api").inc()
