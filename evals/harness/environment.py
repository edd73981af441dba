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


@dataclass
class EvalWorld:
    """Everything the runner needs, built once per run. ``close()`` releases the stores."""

    workdir: Path
    db: Database
    embedder: Any
    registry: Any
    router: Any
    documents: Any
    doc_acl: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)  # doc_id -> (tenant, groups)
    answer_max_tokens: int = 200  # the agent's default; the CI subset lowers it (structure, not prose, is checked)
    _store: Any = None
    _agents: list[Any] = field(default_factory=list)

    @classmethod
    def build(cls, workdir: Path, *, corpora: Sequence[Path] = (DEMO_CORPUS, FIXTURE_DOCUMENTS),
              embedder: Any = None, db: Database | None = None, answer_max_tokens: int = 200,
              progress: Callable[[str], None] = lambda _msg: None) -> EvalWorld:
        from agent.routing import ToolRouter
        from retrieval.embedding import SentenceTransformerEmbedder
        from retrieval.indexing.manifest import load_documents
        from retrieval.indexing.pipeline import index_corpus
        from retrieval.milvus_store import MilvusVectorStore
        from retrieval.onnx_query import query_embedder, routing_embedder
        from retrieval.search import DocumentSearch
        from tools.registry import direct_utterances, load_all

        workdir.mkdir(parents=True, exist_ok=True)
        if db is None:
            progress("seeding the demo company")
            db = seed_database(workdir / "demo.db")
        embedder = embedder or query_embedder(SentenceTransformerEmbedder(device="cpu"), workdir / "models")
        store = MilvusVectorStore(str(workdir / "vectors.db"), embedder.dimension)
        doc_acl: dict[str, tuple[str, frozenset[str]]] = {}
        for corpus in corpora:
            progress(f"indexing {corpus.name}")
            index_corpus(corpus, store, device="cpu")
            for doc in load_documents(corpus):
                doc_acl[doc.doc_id] = (doc.tenant, frozenset(doc.acl_groups))
        registry = load_all()
        router = ToolRouter(routing_embedder(embedder, workdir / "models"), registry.all(), direct_utterances())
        return cls(workdir=workdir, db=db, embedder=embedder, registry=registry, router=router,
                   documents=DocumentSearch(store, embedder), doc_acl=doc_acl,
                   answer_max_tokens=answer_max_tokens, _store=store)

    def agent(self, model: BaseChatModel, name: str = "agent") -> AgentTurns:
        from agent.checkpoints import open_checkpointer
        from agent.service import AgentSettings, AgentTurns

        path = self.workdir / f"checkpoints-{name}.db"
        turns = AgentTurns(model=lambda: model, db=self.db, registry=self.registry, router=lambda: self.router,
                           checkpointer=lambda: open_checkpointer(None, path), documents=lambda: self.documents,
                           settings=AgentSettings(today=TODAY, answer_max_tokens=self.answer_max_tokens))
        self._agents.append(turns)
        return turns

    async def aclose(self) -> None:
        for turns in self._agents:
            await turns.aclose()
        self._agents.clear()
        if self._store is not None:
            self._store.close()
            self._store = None
