"""The composition root: every long-lived dependency is built here, once, from Settings, and injected."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.turns import TurnService
from erp_core.db import Database
from server.agent_wiring import Lazy, build_agent, build_embedder, build_graph_stores, build_vector_stores
from server.auth import Authenticator, DevIssuer, TokenVerifier
from server.model_provider import ModelProvider
from server.openai_tools import build_tool_caller
from server.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger("nexus.bootstrap")


@dataclass
class Container:
    settings: Settings
    db: Database
    authenticator: Authenticator
    models: ModelProvider
    turns: TurnService
    dev_issuer: DevIssuer | None = None
    # Later layers register their long-lived services here (retrieval, graph, agent, ...), built lazily.
    extras: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        for extra in self.extras.values():
            close = getattr(extra, "close", None)
            if callable(close):
                close()
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
                                      audience=settings.jwt_audience, client_secret=secret))
    return (Authenticator(verifiers, tenant_claim=settings.tenant_claim, client_id=settings.oidc_client_id), dev)


def build_container(settings: Settings, *, chat_model: BaseChatModel | None = None,
                    migrate: bool = True) -> Container:
    """Build everything the server needs. ``chat_model`` injects a ready model (tests, benchmarks)."""
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
    turns, router = build_agent(settings, db, models, embedder, vectors, graphs, scorer)
    container = Container(settings=settings, db=db, authenticator=authenticator, models=models, turns=turns,
                          dev_issuer=dev)
    container.extras.update({"embedder": embedder, "router": router, "vector_stores": vectors,
                             "graph_stores": graphs, "anomaly_scorer": scorer})
    # Tools that /v1/chat/completions clients send are ranked like ours (server/openai_tools.py).
    container.extras["client_tools"] = Lazy(lambda: build_tool_caller(settings, embedder))
    return container


def _anomaly_scorer() -> Any:
    """GL anomaly scoring for submitted entries. (Approval document types need no importing here: the engine reads
    them from erp_core/approvals/catalog.py.)"""
    from erp_core.anomaly import LedgerAnomalyScorer

    return LedgerAnomalyScorer()

