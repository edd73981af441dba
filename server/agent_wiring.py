"""Builds the agent's long-lived parts (tool registry, embedder, router, checkpointer) once, lazily, from settings."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from agent.checkpoints import open_checkpointer
from agent.config import AgentSettings
from agent.routing import ToolRouter, out_of_scope_capabilities
from agent.service import AgentTurns
from erp_core.db import Database
from server.model_provider import ModelProvider
from server.retrieval_wiring import retrieval_config
from server.settings import Settings
from tools.catalog import load_all
from tools.registry import direct_utterances

T = TypeVar("T")
log = logging.getLogger("nexus.agent")


class Lazy(Generic[T]):
    """Build a value once, on first use or on ``warm()`` from a background thread.

    A build that fails is not retried for ``retry_after_s``: callers get the same error at once instead of every
    chat turn paying for another attempt to start a store that is down (and logging it).
    """

    def __init__(self, build: Callable[[], T], retry_after_s: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._failed: tuple[Exception, float] | None = None

    def __call__(self) -> T:
        with self._lock:
            if self._value is None:
                if self._failed is not None and self._clock() - self._failed[1] < self._retry_after_s:
                    raise self._failed[0].with_traceback(None)
                try:
                    self._value = self._build()
                except Exception as exc:
                    self._failed = (exc, self._clock())
                    raise
                self._failed = None
            return self._value

    @property
    def ready(self) -> bool:
        return self._value is not None

    def warm(self, on_ready: Callable[[], object] | None = None) -> None:
        """Build in a background thread; ``on_ready`` runs there after a successful build."""
        threading.Thread(target=self._warm_quietly, args=(on_ready,), name="warm-up", daemon=True).start()

    def _warm_quietly(self, on_ready: Callable[[], object] | None) -> None:
        try:
            self()
        except Exception as exc:  # warming is best effort; the first real use reports the error
            log.warning("warm-up failed: %s", exc)
            return
        if on_ready is not None:
            on_ready()

    def close(self) -> None:
        value, self._value = self._value, None
        close = getattr(value, "close", None)
        if callable(close):
            close()


def build_embedder(settings: Settings) -> Any:
    from retrieval.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(settings.embedding_model_path, device=settings.embedding_device)
    if settings.embedding_query_runtime == "torch":
        return embedder
    from retrieval.onnx_query import query_embedder

    return query_embedder(embedder, settings.data_dir / "models")


def build_routing_embedder(settings: Settings, embedder: Any) -> Any:
    if settings.agent_route_runtime == "query":
        return embedder
    from retrieval.onnx_query import routing_embedder

    return routing_embedder(embedder, settings.data_dir / "models")


def build_vector_stores(settings: Settings, embedder: Lazy[Any]) -> Any:
    from retrieval.stores import open_stores

    stores = open_stores(retrieval_config(settings), vector=True, graph=False, content=False)
    stores.embedder = embedder()  # one embedding model in memory, shared with the tool router
    return stores


def build_graph_stores(settings: Settings) -> Any:
    from retrieval.stores import open_stores

    return open_stores(retrieval_config(settings), vector=False, graph=True, content=False)


def build_anomaly_scorer() -> Any:
    """GL anomaly scoring for submitted entries, for the server and the evaluation harness alike (approval document
    types need no importing: erp_core/approvals/catalog.py lists them)."""
    from erp_core.anomaly import LedgerAnomalyScorer

    return LedgerAnomalyScorer()


def build_agent(settings: Settings, db: Database, models: ModelProvider, embedder: Lazy[Any],
                vectors: Lazy[Any], graphs: Lazy[Any], scorer: Any = None, *,
                answer_max_tokens: int | None = None) -> tuple[AgentTurns, Lazy[ToolRouter]]:
    """The agent users talk to: the server's composition root and the evaluation harness both build it here, so
    the evaluation measures the product (same settings, routing, stores, scorer). ``answer_max_tokens`` caps
    model prose below the agent's default (the CI eval subset, which checks structure, not prose)."""
    registry = load_all()
    router: Lazy[ToolRouter] = Lazy(lambda: ToolRouter(build_routing_embedder(settings, embedder()), registry.all(),
                                                       direct_utterances(), out_of_scope_capabilities()))
    turns = AgentTurns(
        model=models.get, db=db, registry=registry, router=router, documents=lambda: vectors().search(),
        graph=lambda: graphs().graph, anomaly_scorer=scorer,
        checkpointer=lambda: open_checkpointer(settings.checkpoint_url, settings.data_dir / "checkpoints.db"),
        settings=agent_settings(settings, answer_max_tokens=answer_max_tokens))
    return turns, router


def agent_settings(settings: Settings, *, answer_max_tokens: int | None = None) -> AgentSettings:
    """The agent's configuration from the server's Settings (``NEXUS_AGENT_*``, ``NEXUS_ANSWER_STYLE``,
    ``NEXUS_BUSINESS_DATE``): the one place the two meet. What Settings leaves out keeps the agent's default."""
    return AgentSettings(max_steps=settings.agent_max_steps, route_k=settings.agent_route_k,
                         route_margin=settings.agent_route_margin, today=settings.business_date,
                         answer_style=settings.answer_style,
                         **({} if answer_max_tokens is None else {"answer_max_tokens": answer_max_tokens}))
