"""Retrieval benchmark: quality (recall@5, MRR), ingest rate and search latency, each next to a same-run baseline.

    python -m evals.benchmarks.bench_retrieval                 # everything (100k synthetic chunks for latency)
    python -m evals.benchmarks.bench_retrieval --skip-latency  # quality + ingest only
    python -m evals.benchmarks.bench_retrieval --chunks 20000  # smaller latency run

1. Quality: the demo corpus is indexed into a fresh Milvus Lite db; each labelled question of
   ``evals/datasets/retrieval_questions.jsonl`` is asked as its user (tenant + roles, so ACL filters apply) in dense,
   keyword and hybrid mode. recall@5 = share of the question's relevant documents among the documents of the top 5
   chunks; MRR = 1 / rank of the first chunk from a relevant document (0 when none in the top 10).
2. Ingest: the whole Haystack pipeline (convert, split, embed, write) on the corpus, against plain
   ``SentenceTransformer.encode`` of the very same chunk texts (the baseline), both with the model already loaded.
3. Latency: N synthetic chunks (random unit vectors, text drawn from the corpus vocabulary) in Milvus Lite; p50/p95
   of ``MilvusVectorStore.search`` per mode with the tenant/ACL filter, next to a numpy brute-force top-k baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from retrieval.ports import SearchMode

for _var, _value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HAYSTACK_TELEMETRY_ENABLED": "False"}.items():
    os.environ.setdefault(_var, _value)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "retrieval" / "corpus"
QUESTIONS = ROOT / "evals" / "datasets" / "retrieval_questions.jsonl"
MODES: tuple[SearchMode, ...] = ("dense", "keyword", "hybrid")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def quality(store: Any, embedder: Any) -> dict[str, dict[str, float]]:
    from erp_core.identity import Actor
    from evals.metrics import recall_at_k, reciprocal_rank
    from retrieval.search import DocumentSearch

    search = DocumentSearch(store, embedder)
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: dict[str, dict[str, float]] = {}
    for mode in MODES:
        recalls, ranks = [], []
        for row in rows:
            actor = Actor.of(row["user"], row["tenant"], row["roles"])
            hits = search.search(actor, row["question"], k=10, mode=mode)
            relevant = set(row["relevant_doc_ids"])
            doc_ids = [h.doc_id for h in hits]
            recalls.append(recall_at_k(doc_ids[:5], relevant, 5))  # documents among the top 5 chunks
            ranks.append(reciprocal_rank(doc_ids, relevant, distinct=False))  # rank of the first relevant chunk
        out[mode] = {"recall@5": statistics.mean(recalls), "mrr": statistics.mean(ranks), "questions": len(rows)}
    return out


def ingest(embedder: Any, workdir: Path, rounds: int = 2) -> dict[str, float]:
    """Best of ``rounds`` alternating runs of each side: the machine is shared, so single timings are noisy."""
    from retrieval.indexing.manifest import load_documents
    from retrieval.indexing.pipeline import BATCH_DOCUMENTS, build_pipeline, run_batch
    from retrieval.milvus_store import MilvusVectorStore

    documents = load_documents(CORPUS)
    model = embedder.model
    pipeline_s, encode_s, chunks, texts = float("inf"), float("inf"), 0, []
    for round_no in range(rounds):
        store = MilvusVectorStore(str(workdir / f"ingest-{round_no}.db"), embedder.dimension)
        pipeline = build_pipeline(store, device="cpu")
        pipeline.warm_up()
        started = time.perf_counter()
        chunks = 0
        for start in range(0, len(documents), BATCH_DOCUMENTS):
            written, _, _ = run_batch(pipeline, documents[start:start + BATCH_DOCUMENTS])
            chunks += written
        pipeline_s = min(pipeline_s, time.perf_counter() - started)
        # the baseline embeds exactly what the pipeline embedded: "title\ncontent" of every stored chunk
        rows = store._client.query(store.collection, filter="", output_fields=["title", "text"], limit=16384)
        texts = [f"{r['title']}\n{r['text']}" for r in rows]
        store.close()
        started = time.perf_counter()
        model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        encode_s = min(encode_s, time.perf_counter() - started)
    return {"documents": len(documents), "chunks": chunks, "pipeline_chunks_per_s": chunks / pipeline_s,
            "encode_chunks_per_s": len(texts) / encode_s, "ratio": encode_s / pipeline_s}


def latency(embedder: Any, workdir: Path, n_chunks: int, n_queries: int = 200) -> dict[str, dict[str, float]]:
    import numpy as np

    from retrieval.milvus_store import MilvusVectorStore
    from retrieval.ports import AccessScope, Chunk

    rng = np.random.default_rng(7)
    vocab = sorted({w.strip(".,;:()").lower() for p in CORPUS.rglob("*.md") for w in p.read_text().split()
                    if w.isascii() and len(w) > 3})
    pyrng = random.Random(7)
    store = MilvusVectorStore(str(workdir / "latency.db"), embedder.dimension)
    vectors = rng.standard_normal((n_chunks, embedder.dimension)).astype("float32")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    tenants = ("acme", "globex")
    groups = (("all",), ("finance",), ("hr",), ("executives",), ("sales", "finance"))
    started = time.perf_counter()
    for start in range(0, n_chunks, 5000):
        batch = [Chunk(chunk_id=f"{tenants[i % 2]}/syn-{i // 5}#{i % 5}", doc_id=f"syn-{i // 5}",
                       tenant=tenants[i % 2], acl_groups=groups[i % len(groups)], title=f"Synthetic {i // 5}",
                       section="Body", page=1, text=" ".join(pyrng.choices(vocab, k=80)), doc_hash="syn",
                       source="bench", embedding=vectors[i].tolist())
                 for i in range(start, min(start + 5000, n_chunks))]
        store.upsert(batch)
    store.flush()
    load_s = time.perf_counter() - started
    scope = AccessScope("acme", frozenset({"all", "finance"}))
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    queries = [questions[i % len(questions)] for i in range(n_queries)]
    query_vectors = embedder.embed_documents(queries)
    for mode in MODES:  # warm-up: first searches load indexes
        store.search(scope, mode=mode, k=5, query=queries[0], vector=query_vectors[0])
    out: dict[str, dict[str, float]] = {"load": {"chunks": n_chunks, "seconds": load_s}}
    for mode in MODES:
        times = []
        for text, vector in zip(queries, query_vectors, strict=True):
            t0 = time.perf_counter()
            store.search(scope, mode=mode, k=5, query=text, vector=vector)
            times.append((time.perf_counter() - t0) * 1000)
        out[mode] = {"p50_ms": _pct(times, 0.5), "p95_ms": _pct(times, 0.95)}
    # baseline: exact numpy top-5 over all vectors (no filter, no text) on the same data
    times = []
    for vector in query_vectors:
        t0 = time.perf_counter()
        scores = vectors @ np.asarray(vector, dtype="float32")
        np.argpartition(-scores, 5)[:5]
        times.append((time.perf_counter() - t0) * 1000)
    out["numpy_bruteforce"] = {"p50_ms": _pct(times, 0.5), "p95_ms": _pct(times, 0.95)}
    t0 = time.perf_counter()
    for text in queries[:50]:
        embedder.embed_query(text)
    out["query_embedding"] = {"mean_ms": (time.perf_counter() - t0) * 1000 / 50}
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000, help="synthetic chunks for the latency part")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    from retrieval.embedding import SentenceTransformerEmbedder
    from retrieval.indexing.pipeline import index_corpus
    from retrieval.milvus_store import MilvusVectorStore

    embedder = SentenceTransformerEmbedder(device=args.device)
    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as tmp:
        workdir = Path(tmp)
        store = MilvusVectorStore(str(workdir / "quality.db"), embedder.dimension)
        report = index_corpus(CORPUS, store, device=args.device)
        print(f"indexed demo corpus: {report.summary()}")
        scores = quality(store, embedder)
        store.close()
        print("\n== quality (document level, k=5) ==")
        print(f"{'mode':<8} {'recall@5':>9} {'MRR':>6}   ({scores['hybrid']['questions']:.0f} questions)")
        for mode in MODES:
            print(f"{mode:<8} {scores[mode]['recall@5']:>9.3f} {scores[mode]['mrr']:>6.3f}")

        rate = ingest(embedder, workdir)
        print(f"\n== ingest (model loaded, device {args.device}) ==")
        print(f"pipeline (convert+split+embed+write): {rate['pipeline_chunks_per_s']:.1f} chunks/s "
              f"({rate['chunks']} chunks, {rate['documents']} documents)")
        print(f"baseline SentenceTransformer.encode:   {rate['encode_chunks_per_s']:.1f} chunks/s")
        print(f"ratio pipeline/baseline: {rate['ratio']:.2f}x")

        if not args.skip_latency:
            lat = latency(embedder, workdir, args.chunks)
            print(f"\n== search latency, Milvus Lite, {args.chunks} chunks "
                  f"(loaded in {lat['load']['seconds']:.0f} s), tenant+ACL filter, k=5 ==")
            for name in (*MODES, "numpy_bruteforce"):
                print(f"{name:<17} p50 {lat[name]['p50_ms']:7.2f} ms   p95 {lat[name]['p95_ms']:7.2f} ms")
            print(f"query embedding (not included above): {lat['query_embedding']['mean_ms']:.1f} ms mean")


if __name__ == "__main__":
    main()
