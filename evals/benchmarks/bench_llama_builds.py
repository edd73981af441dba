"""llama.cpp builds side by side: the portable wheel `make install` builds vs. a native (-march=native) one, each with
OpenMP threads that spin while they wait (ACTIVE) and that sleep (PASSIVE, what the engine process sets), on an idle
machine and with one other CPU-bound process running (as when a second request, the embedder or another service
shares the two cores).

    .venv/bin/python evals/benchmarks/bench_llama_builds.py --build portable=DIR --build native=DIR [--runs 8]

Each DIR holds an unpacked llama_cpp_python wheel (`python -m zipfile -e WHEEL DIR`); the portable one is in the
wheel cache scripts/install-llama-runtime.sh prints, a native one is built with
`CMAKE_ARGS="-DGGML_NATIVE=ON -DLLAVA_BUILD=OFF" pip wheel --no-deps --no-cache-dir llama-cpp-python==0.3.36`.
Every measurement runs in its own process (one build per process), one after the other, with the packaged model,
n_threads=2 and the same prompts: warm TTFT (a ~1,200-token system prompt already in the KV cache, a new user turn)
and decode tokens/s over 64 tokens. A build that cannot run on this CPU shows how it died.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYSTEM = ("You are Nexus, the ERP assistant of Acme Robotics. Expense policy: economy class below six hours of "
          "flight; hotels capped at 250 USD per night; per-diem meals 75 USD; receipts above 25 USD. ") * 16


def child(runs: int) -> None:
    """Runs inside one build: prints one JSON line of figures."""
    sys.path.insert(0, str(ROOT))
    import llama_cpp

    from agent.backends.llama_engine import default_model_path

    llm = llama_cpp.Llama(model_path=str(default_model_path()), n_ctx=4096, n_threads=2, n_threads_batch=2,
                          verbose=False)

    def prompt(user: str) -> list[int]:
        text = f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
        return llm.tokenize(text.encode(), add_bos=False, special=True)

    def one(user: str, max_tokens: int) -> tuple[float, float, int]:
        start = time.perf_counter()
        first = 0.0
        n = 0
        for chunk in llm.create_completion(prompt(user), max_tokens=max_tokens, temperature=0, stream=True):
            if chunk["choices"][0]["text"]:  # type: ignore[index]
                n += 1
                first = first or time.perf_counter() - start
        return first, time.perf_counter() - start, n

    one("prime the cache", 1)
    ttft, decode = [], []
    for i in range(runs):
        first, total, n = one(f"user {i} asks: what is the hotel cap, and why? ({i})", 64)
        ttft.append(first)
        if n > 1:
            decode.append((n - 1) / (total - first))
    print(json.dumps({"ttft_ms": statistics.median(ttft) * 1000, "decode_tps": statistics.median(decode)}))


def wait_env(wait: str) -> dict[str, str]:
    """ACTIVE / PASSIVE: OMP_WAIT_POLICY; spin=N: libgomp spins N times, then sleeps; default: neither set."""
    if wait.startswith("spin="):
        return {"GOMP_SPINCOUNT": wait.split("=", 1)[1]}
    return {} if wait == "default" else {"OMP_WAIT_POLICY": wait}


def measure(build_dir: Path, wait: str, busy: bool, runs: int) -> str:
    env = {key: value for key, value in os.environ.items() if key not in {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"}}
    env.update({"PYTHONPATH": str(build_dir), **wait_env(wait)})
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        done = subprocess.run([sys.executable, __file__, "--child", "--runs", str(runs)], env=env,
                              capture_output=True, text=True, timeout=900, check=False)
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()
    if done.returncode != 0:
        from retrieval.servers.supervisor import describe_exit

        return f"cannot run: {describe_exit(done.returncode)}"
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return f"TTFT {figures['ttft_ms']:7.1f} ms   decode {figures['decode_tps']:6.1f} tok/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="append", default=[], help="NAME=DIR of an unpacked llama_cpp wheel")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--wait", action="append", default=[],
                        help="OpenMP waiting: ACTIVE, PASSIVE, default or spin=N (repeatable; default PASSIVE, ACTIVE)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.runs)
        return
    sys.path.insert(0, str(ROOT))
    builds = [(name, Path(path)) for name, path in (b.split("=", 1) for b in args.build)]
    print(f"{'build':10} {'OpenMP wait':12} {'machine':8} figures (medians of {args.runs})")
    for busy in (False, True):
        for name, path in builds:
            for wait in args.wait or ["PASSIVE", "ACTIVE"]:
                label = "1 busy" if busy else "idle"
                print(f"{name:10} {wait:12} {label:8} {measure(path, wait, busy, args.runs)}", flush=True)


if __name__ == "__main__":
    main()
