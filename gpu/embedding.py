"""GPU-aware embedding: the device the embedder should use and a batch size that keeps that device busy.

The embedder itself is ``retrieval.embedding.SentenceTransformerEmbedder`` (one code path on CPU and GPU); this module
only decides its device and batch size, and measures throughput for ``evals/benchmarks/bench_embedding_devices.py``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A MiniLM-sized model saturates a modern GPU only with large batches; on CPU larger batches just add latency.
GPU_BATCH = 256
CPU_BATCH = 32


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def pick_device(setting: str = "auto") -> str:
    """``auto`` → ``cuda`` when torch sees a GPU, else ``cpu``; explicit values pass through."""
    if setting != "auto":
        return setting
    return "cuda" if cuda_available() else "cpu"


def batch_size_for(device: str) -> int:
    return GPU_BATCH if device.startswith("cuda") else CPU_BATCH


def build_embedder(model_path: Path | None = None, device: str = "auto", batch_size: int | None = None) -> Any:
    """A ``SentenceTransformerEmbedder`` on the picked device with a batch size suited to it."""
    from retrieval.embedding import SentenceTransformerEmbedder

    chosen = pick_device(device)
    return SentenceTransformerEmbedder(model_path, device=chosen, batch_size=batch_size or batch_size_for(chosen))


@dataclass(frozen=True)
class Throughput:
    device: str
    batch_size: int
    sentences: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds else 0.0


def measure(embedder: Any, texts: Sequence[str], rounds: int = 3) -> Throughput:
    """Best of ``rounds`` full passes over ``texts`` after one warm-up pass (model load, CUDA kernels)."""
    embedder.embed_documents(list(texts[: embedder.batch_size]))
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        embedder.embed_documents(list(texts))
        if str(embedder.device).startswith("cuda"):
            import torch

            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - started)
    return Throughput(str(embedder.device), embedder.batch_size, len(texts), best)
