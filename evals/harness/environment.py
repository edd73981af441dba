"""The world an eval runs in: the seeded demo company, the indexed documents, the real tool registry and router,
and one AgentTurns per model under test — the same parts ``server.bootstrap`` wires, built over a scratch folder."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from erp_core.db import Database

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from agent.service import AgentTurns
    from server.settings import Settings

TODAY = dt.date(2026, 11, 16)  # the agent's pinned business date (docs/demo-company.md)
SEED_AS_OF = dt.date(2026, 10, 31)
ROOT = Path(__file__).resolve().parents[2]
DEMO_CORPUS = ROOT / "retrieval" / "corpus"
FIXTURE_DOCUMENTS = ROOT / "evals" / "datasets" / "documents"  # poisoned and canary documents for the safety suite


@dataclass(frozen=True)
class ModelSpec:
    """A model under test: the configured default, a GGUF path, an OpenAI-compatible base URL, or
    ``vllm:<weights folder>`` (vLLM in process with guided decoding, on a GPU host with the ``gpu`` extra)."""

    target: str | None = None
    model_name: str | None = None
    instance: Any = None  # an already built chat model (tests drive the harness with a scripted one)

    @property
    def label(self) -> str:
        if self.instance is not None:
            return self.model_name or type(self.instance).__name__
        if self.target is None:
            return "default"
        return self.target if self.is_url else Path(self.target).name

    @property
    def is_url(self) -> bool:
        return bool(self.target) and str(self.target).startswith(("http://", "https://"))

    def build(self) -> BaseChatModel:
        """The chat backend for this spec, through the server's own factory (heavy imports happen here)."""
        if self.instance is not None:
            return self.instance
        from server.model_provider import build_chat_model
        from server.settings import Settings

        if self.target and self.target.startswith("vllm:"):
            from gpu.vllm_offline import VLLMEngine, VLLMOfflineChat

            path = Path(self.target.removeprefix("vllm:"))
            return VLLMOfflineChat(engine=VLLMEngine(path), model_name=self.model_name or path.name)
        overrides: dict[str, Any] = {}
        if self.is_url:
            overrides = {"chat_backend": "openai", "openai_base_url": self.target,
                         "openai_model": self.model_name or "default"}
        elif self.target:
            overrides = {"chat_backend": "llama_cpp", "model_path": Path(self.target)}
        return build_chat_model(Settings(**overrides))


def seed_database(path: Path, template: Path | None = None) -> Database:
    """The small demo company (seed 42) in a SQLite file; copies ``template`` instead when it exists."""
    from erp_core import migrations
    from erp_core.seed.runner import seed_demo

    url = f"sqlite:///{path}"
    if template is not None and template.exists():
        shutil.copy(template, path)
        return Database(url)
    migrations.upgrade(url)
    db = Database(url)
    seed_demo(db, size="small", seed=42, as_of=SEED_AS_OF)
    return db


def eval_settings(workdir: Path, db_url: str, **overrides: Any) -> Settings:
    """The server's Settings (environment and ``.env`` included, as the product reads them) over the run's scratch
    stores: the seeded ledger, a vector store, graph and checkpoints under ``workdir``, the business date pinned.
    The run's local servers take free ports, so an evaluation runs beside a ``make run`` server (whose graph and
    content servers hold the default ports) instead of finding them taken."""
    from retrieval.servers.supervisor import free_port
    from server.settings import Settings

    scratch: dict[str, Any] = {"data_dir": workdir, "database_url": db_url, "database_read_url": None,
                               "checkpoint_url": None, "milvus_uri": None, "graph_uri": None, "mongo_uri": None,
                               "business_date": TODAY, "local_graph_port": free_port(),
                               "local_mongo_port": free_port()}
    return Settings(**{**scratch, **overrides})


@dataclass
class EvalWorld:
    """Everything the runner needs, built once per run. ``close()`` releases the stores.

    Agents are built by ``server.agent_wiring.build_agent``, the function the server's composition root calls, with
    the same Settings, vector store, graph store (synced from the scratch ledger on first use) and anomaly scorer:
    the evaluation measures the agent users run, with only the model swapped per ``ModelSpec``.
    """

    workdir: Path
    db: Database
    embedder: Any
    registry: Any
    documents: Any
    settings: Settings
    doc_acl: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)  # doc_id -> (tenant, groups)
    answer_max_tokens: int | None = None  # None: the agent's default; the CI subset lowers it (structure is checked)
    score_anomalies: bool = True  # the server's anomaly scorer on submitted entries, as in the product
    _stores: Any = None
    _graphs: Any = None
    _agents: list[Any] = field(default_factory=list)

    @classmethod
    def build(cls, workdir: Path, *, corpora: Sequence[Path] = (DEMO_CORPUS, FIXTURE_DOCUMENTS),
              embedder: Any = None, db: Database | None = None, answer_max_tokens: int | None = None,
              progress: Callable[[str], None] = lambda _msg: None) -> EvalWorld:
        from retrieval.indexing.manifest import load_documents
        from retrieval.indexing.pipeline import index_corpus
        from server.agent_wiring import Lazy, build_embedder, build_vector_stores
        from tools.catalog import load_all

        workdir.mkdir(parents=True, exist_ok=True)
        if db is None:
            progress("seeding the demo company")
            db = seed_database(workdir / "demo.db")
        settings = eval_settings(workdir, db.url)
        shared: Lazy[Any] = Lazy(lambda: embedder or build_embedder(settings))
        stores = build_vector_stores(settings, shared)
        doc_acl: dict[str, tuple[str, frozenset[str]]] = {}
        for corpus in corpora:
            progress(f"indexing {corpus.name}")
            index_corpus(corpus, stores.vector, device="cpu")
            for doc in load_documents(corpus):
                doc_acl[doc.doc_id] = (doc.tenant, frozenset(doc.acl_groups))
        return cls(workdir=workdir, db=db, embedder=shared(), registry=load_all(), documents=stores.search(),
                   settings=settings, doc_acl=doc_acl, answer_max_tokens=answer_max_tokens, _stores=stores)

    def agent(self, model: BaseChatModel, name: str = "agent") -> AgentTurns:
        """The product's agent (``build_agent``) over this world, answering with ``model``."""
        from server.agent_wiring import Lazy, build_agent, build_anomaly_scorer
        from server.model_provider import ModelProvider

        if self._graphs is None:
            self._graphs = Lazy(lambda: synced_graph(self.settings, self.db))
        # Each agent its own checkpoint file in the run's folder; everything else as the server reads it.
        settings = self.settings.model_copy(update={"checkpoint_url": f"sqlite:///{self.workdir}/checkpoints-{name}.db"})
        turns, router = build_agent(settings, self.db, ModelProvider(settings, model), Lazy(lambda: self.embedder),
                                    Lazy(lambda: self._stores), self._graphs,
                                    build_anomaly_scorer() if self.score_anomalies else None,
                                    answer_max_tokens=self.answer_max_tokens)
        router()  # embeds the tool catalogue now, as the server warms up at start: outside the first case's latency
        self._agents.append(turns)
        return turns

    async def aclose(self) -> None:
        for turns in self._agents:
            await turns.aclose()
        self._agents.clear()
        if self._graphs is not None:
            self._graphs.close()
            self._graphs = None
        if self._stores is not None:
            self._stores.close()
            self._stores = None


def synced_graph(settings: Settings, db: Database) -> Any:
    """The graph store the server would open, filled from the scratch ledger as ``nexus graph sync`` fills the
    product's (started only when a turn uses the graph)."""
    from sqlalchemy import select

    from erp_core.tenancy import Tenant
    from retrieval.graph.sync import sync_graph
    from server.agent_wiring import build_graph_stores

    stores = build_graph_stores(settings)
    try:
        with db.read() as session:
            for tenant in session.scalars(select(Tenant.id).order_by(Tenant.id)):
                sync_graph(session, stores.graph, tenant, None)
    except BaseException:
        stores.close()
        raise
    return stores
