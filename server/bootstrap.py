"""The composition root: every long-lived dependency is built here, once, from Settings, and injected.

``build_container`` makes a ``Container`` whose fields are typed and fixed: nothing adds to it or replaces a field
afterwards. What is costly to open (stores, embedding models, the Slack client) is a ``Lazy`` built on first use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.client_tools.calling import ClientToolCaller
from agent.routing import ToolRouter
from agent.turns import TurnService
from erp_core.db import Database
from erp_core.ledger.ports import AnomalyScorer
from server.agent_wiring import Lazy, build_agent, build_embedder, build_graph_stores, build_vector_stores
from server.auth import Authenticator, DevIssuer, TokenVerifier
from server.components import statuses
from server.instrumentation import InstrumentedTurns
from server.metrics import Metrics, build_metrics
from server.model_provider import ModelProvider
from server.notifications.hub import EventHub
from server.notifications.service import NotificationService
from server.notifications.wiring import build_notifications
from server.openai_tools import build_tool_caller
from server.permissions import PermissionMap
from server.ratelimit import RateLimits, build_rate_limits
from server.settings import Settings
from server.telemetry import Telemetry

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from server.slack.bot import SlackBot

log = logging.getLogger("nexus.bootstrap")


@dataclass(frozen=True)
class Container:
    settings: Settings
    db: Database
    authenticator: Authenticator
    dev_issuer: DevIssuer | None
    models: ModelProvider
    # The agent's turns, measured and traced (server.instrumentation), new and resumed alike.
    turns: InstrumentedTurns
    router: Lazy[ToolRouter]
    embedder: Lazy[Any]
    vector_stores: Lazy[Any]
    graph_stores: Lazy[Any]
    anomaly_scorer: AnomalyScorer | None
    client_tools: Lazy[ClientToolCaller]  # ranks the tools /v1/chat/completions clients send (server/openai_tools.py)
    # The interface layer
    metrics: Metrics
    telemetry: Telemetry
    permissions: PermissionMap
    rate_limits: RateLimits | None  # None: rate limiting is off
    event_hub: EventHub  # the widget's live event streams
    notifications: Lazy[NotificationService]  # its worker starts with the app when notifications are enabled
    slack_bot: Lazy[SlackBot] | None  # None: Slack is not enabled (slack-bolt is never imported)

    def close(self) -> None:
        lazies: list[Lazy[Any]] = [self.embedder, self.router, self.vector_stores, self.graph_stores,
                                   self.client_tools, self.notifications]
        for lazy in lazies:
            lazy.close()
        self.models.close()
        self.db.dispose()


def build_dev_issuer(settings: Settings) -> DevIssuer:
    return DevIssuer(settings.data_dir / "keys" / "dev-issuer.pem", issuer=settings.dev_issuer,
                     audience=settings.jwt_audience)


def build_authenticator(settings: Settings) -> tuple[Authenticator, DevIssuer | None]:
    verifiers: list[TokenVerifier] = []
    dev = None
    if settings.dev_issuer_enabled():
        dev = build_dev_issuer(settings)
        verifiers.append(dev)
    if settings.oidc_enabled():
        from server.auth.oidc import OIDCVerifier

        if not settings.oidc_server_url:
            raise ValueError("NEXUS_OIDC_SERVER_URL is required when auth_mode includes oidc")
        secret = settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        verifiers.append(OIDCVerifier(settings.oidc_server_url, settings.oidc_realm, settings.oidc_client_id,
                                      audience=settings.jwt_audience, client_secret=secret,
                                      leeway_s=settings.jwt_leeway_s))
    return (Authenticator(verifiers, tenant_claim=settings.tenant_claim, client_id=settings.oidc_client_id), dev)


def build_container(settings: Settings, *, chat_model: BaseChatModel | None = None, migrate: bool = True,
                    turns: Callable[[ModelProvider], TurnService] | None = None,
                    client_tools: ClientToolCaller | None = None) -> Container:
    """Build everything the server needs. ``chat_model`` injects a ready model, ``turns`` a turn service in place of
    the agent, ``client_tools`` a client-tool caller (tests, benchmarks)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url(), read_url=settings.database_read_url)
    if migrate:
        from erp_core import migrations

        migrations.upgrade(db.url)
    authenticator, dev = build_authenticator(settings)
    models = ModelProvider(settings, chat_model)
    embedder: Lazy[Any] = Lazy(lambda: build_embedder(settings))
    vectors: Lazy[Any] = Lazy(lambda: build_vector_stores(settings, embedder))
    graphs: Lazy[Any] = Lazy(lambda: build_graph_stores(settings))
    scorer = _anomaly_scorer()
    agent, router = build_agent(settings, db, models, embedder, vectors, graphs, scorer)
    metrics = build_metrics(lambda: statuses(models, db, (graphs, vectors)))
    telemetry = build_telemetry(settings, db)
    instrumented = InstrumentedTurns(agent if turns is None else turns(models), metrics, telemetry)
    permissions = PermissionMap(settings.role_permissions)
    hub = EventHub()
    return Container(
        settings=settings, db=db, authenticator=authenticator, dev_issuer=dev, models=models, turns=instrumented,
        router=router, embedder=embedder, vector_stores=vectors, graph_stores=graphs, anomaly_scorer=scorer,
        client_tools=Lazy(lambda: client_tools or build_tool_caller(settings, embedder)),
        metrics=metrics, telemetry=telemetry, permissions=permissions, rate_limits=build_rate_limits(settings),
        event_hub=hub, notifications=Lazy(lambda: build_notifications(settings, db, hub, metrics)),
        slack_bot=build_slack_bot(settings, db, instrumented, permissions, metrics))


def build_telemetry(settings: Settings, db: Database) -> Telemetry:
    telemetry = Telemetry(settings.otel_service_name, settings.otel_exporter)
    telemetry.instrument_engine(db.engine)
    return telemetry


def build_slack_bot(settings: Settings, db: Database, turns: TurnService, permissions: PermissionMap,
                    metrics: Metrics) -> Lazy[SlackBot] | None:
    """The bot when Slack is enabled, built on first use (slack-bolt and its aiohttp client load then)."""
    if not settings.slack_enabled:
        return None

    def build() -> SlackBot:
        from server.slack.bot import SlackBot

        return SlackBot(settings, db, turns, permissions, metrics)

    return Lazy(build)


def _anomaly_scorer() -> Any:
    """GL anomaly scoring for submitted entries. (Approval document types need no importing here: the engine reads
    them from erp_core/approvals/catalog.py.)"""
    from erp_core.anomaly import LedgerAnomalyScorer

    return LedgerAnomalyScorer()

