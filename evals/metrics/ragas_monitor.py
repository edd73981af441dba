"""ragas faithfulness and answer relevancy over the answer and multi-turn transcripts, judged by a local model.

Monitors, not gates: an LLM judge is itself noisy, so these figures are reported next to the gates and never fail a
run. They run only when a judge (an OpenAI-compatible URL) is configured; ragas is imported lazily (the ``eval``
extra) with its telemetry off. The judge's embeddings for answer relevancy are the local sentence embedder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from evals.harness.environment import ModelSpec
from evals.harness.runner import CaseRecord


def samples_from(records: Sequence[CaseRecord]) -> list[dict[str, Any]]:
    """(question, answer, contexts) of every trial that produced an answer from tool results or documents."""
    out = []
    for r in records:
        if r.kind not in ("answer", "multi_turn", "safety"):
            continue
        for t in r.trials:
            if not t.turns:
                continue
            turn = t.turns[0]
            contexts = [x["summary"] for x in turn["tool_results"]] + [c["snippet"] for c in turn["citations"]]
            if turn["answer"].strip() and contexts:
                out.append({"user_input": turn["message"], "response": turn["answer"], "retrieved_contexts": contexts})
    return out


class _LocalEmbeddings:
    """The langchain Embeddings shape over the local sentence embedder (ragas wraps it)."""

    def __init__(self) -> None:
        from retrieval.embedding import SentenceTransformerEmbedder

        self._embedder = SentenceTransformerEmbedder(device="cpu")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self._embedder.embed_documents(texts)]

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self._embedder.embed_query(text)))

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents(texts)

    async def aembed_query(self, text: str) -> list[float]:
        return self.embed_query(text)


def ragas_monitors(results: dict[str, list[CaseRecord]], judge: ModelSpec) -> dict[str, Any]:
    """Mean faithfulness and answer relevancy per model under test, as judged by ``judge``."""
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    if not judge.is_url:
        raise ValueError("the ragas judge must be an OpenAI-compatible URL")
    from langchain_openai import ChatOpenAI
    from ragas import EvaluationDataset, evaluate
    from ragas.embeddings import LangchainEmbeddingsWrapper
    from ragas.llms import LangchainLLMWrapper
    from ragas.metrics import AnswerRelevancy, Faithfulness

    llm = LangchainLLMWrapper(ChatOpenAI(base_url=judge.target, api_key="local",
                                         model=judge.model_name or "judge", temperature=0))
    embeddings = LangchainEmbeddingsWrapper(_LocalEmbeddings())
    out: dict[str, Any] = {"judge": judge.label, "gate": False}
    for label, records in results.items():
        samples = samples_from(records)
        if not samples:
            out[label] = {"samples": 0}
            continue
        scored = evaluate(EvaluationDataset.from_list(samples), metrics=[Faithfulness(), AnswerRelevancy()],
                          llm=llm, embeddings=embeddings, show_progress=False)
        frame = scored.to_pandas()
        out[label] = {"samples": len(samples),
                      "faithfulness": float(frame["faithfulness"].mean()),
                      "answer_relevancy": float(frame["answer_relevancy"].mean())}
    return out
