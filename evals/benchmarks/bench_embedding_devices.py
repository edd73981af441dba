"""Embedding throughput of all-MiniLM-L6-v2 on CPU vs. GPU (sentences/s), same texts, same model, same run.

    .venv/bin/python evals/benchmarks/bench_embedding_devices.py [--sentences 2048] [--rounds 3]

CPU is the same-run baseline. The GPU row runs only where torch sees CUDA (the device machine); elsewhere the script
says so instead of printing a figure.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def corpus(n: int) -> list[str]:
    words = ["invoice", "rent", "payroll", "travel", "policy", "approval", "ledger", "account", "vendor", "customer",
             "quarter", "budget", "forecast", "expense", "revenue", "hotel", "limit", "reimbursement", "contract"]
    return [" ".join(words[(i * 7 + j) % len(words)] for j in range(12 + i % 20)) + f" #{i}." for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--gpu-batches", default="64,256,1024",
                        help="comma-separated GPU batch sizes (the product uses gpu.embedding.GPU_BATCH)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    import torch

    from gpu.embedding import build_embedder, cuda_available, measure

    texts = corpus(args.sentences)
    print(f"all-MiniLM-L6-v2, {len(texts)} sentences, best of {args.rounds}; torch {torch.__version__}, "
          f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}")
    cpu = measure(build_embedder(device="cpu"), texts, args.rounds)
    print(f"cpu   batch {cpu.batch_size:>4}: {cpu.per_second:9.1f} sentences/s  (baseline)")
    if not cuda_available():
        print("cuda  not available on this machine: no GPU figure")
        return
    name = torch.cuda.get_device_name(0)
    for batch in (int(b) for b in args.gpu_batches.split(",")):
        gpu = measure(build_embedder(device="cuda", batch_size=batch), texts, args.rounds)
        print(f"cuda  batch {gpu.batch_size:>4}: {gpu.per_second:9.1f} sentences/s  ({name}; "
              f"{gpu.per_second / cpu.per_second:.1f}x the CPU)")


if __name__ == "__main__":
    main()
