"""Throughput and time to first token of the agent through our server vs. the raw model backend, under 1, 8 and 32
concurrent users, with the backend and the hardware printed beside every figure.

    .venv/bin/python evals/benchmarks/bench_concurrency.py                       # llama_cpp.server + SmolLM2 here
    .venv/bin/python evals/benchmarks/bench_concurrency.py --backend-url http://gpu:8001/v1 \
        --backend-model llama-3.1-8b-instruct --structured-mode json_schema --backend-label "vLLM Llama-3.1-8B"

Without ``--backend-url`` the script starts ``llama_cpp.server`` on the packaged SmolLM2-135M GGUF. Either way it
then starts ``nexus serve`` (``NEXUS_CHAT_BACKEND=openai`` against that backend, SQLite, rate limits off) and runs,
at each concurrency level, the same users twice:

- raw backend: one streamed ``/v1/chat/completions`` per request (TTFT: first content delta);
- our server: one streamed ``POST /v1/chat`` agent turn per request (route → decide under a JSON-schema grammar →
  tool → answer; TTFT: first ``token`` event). A turn makes several model calls, so the gap between the two rows is
  what the agent costs on top of the model, not HTTP overhead alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from retrieval.servers.supervisor import free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

QUESTION = "What is the balance of the rent expense account?"


@dataclass
class Sample:
    ttft: float | None
    total: float
    output_tokens: int
    error: str | None = None


def hardware() -> str:
    cpu = platform.processor() or "cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = ""
    try:
        names = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                               text=True, timeout=10).stdout.strip().splitlines()
        gpu = f", GPU: {len(names)}x {names[0]}" if names else ""
    except (OSError, subprocess.SubprocessError):
        pass
    return f"{os.cpu_count()} CPUs ({cpu}){gpu or ', no GPU'}"


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process for {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} not ready after {timeout_s}s")


async def raw_request(client: httpx.AsyncClient, model: str, max_tokens: int) -> Sample:
    body = {"model": model, "messages": [{"role": "user", "content": QUESTION}], "max_tokens": max_tokens,
            "temperature": 0, "stream": True, "stream_options": {"include_usage": True}}
    started = time.perf_counter()
    first: float | None = None
    tokens = 0
    deltas = 0  # llama_cpp.server streams one token per delta but sends no usage: the fallback count
    try:
        async with client.stream("POST", "/chat/completions", json=body) as response:
            if response.status_code != 200:
                return Sample(None, time.perf_counter() - started, 0, f"HTTP {response.status_code}")
            async for line in response.aiter_lines():
                if not line.startswith("data:") or line.strip() == "data: [DONE]":
                    continue
                event = json.loads(line[5:])
                if event.get("usage"):
                    tokens = int(event["usage"].get("completion_tokens") or 0)
                for choice in event.get("choices") or []:
                    if (choice.get("delta") or {}).get("content"):
                        deltas += 1
                        if first is None:
                            first = time.perf_counter() - started
    except httpx.HTTPError as exc:
        return Sample(first, time.perf_counter() - started, tokens or deltas, type(exc).__name__)
    return Sample(first, time.perf_counter() - started, tokens or deltas)


async def agent_request(client: httpx.AsyncClient, token: str) -> Sample:
    started = time.perf_counter()
    first: float | None = None
    tokens = 0
    name = ""
    try:
        async with client.stream("POST", "/v1/chat", json={"message": QUESTION},
                                 headers={"Authorization": f"Bearer {token}"}) as response:
            if response.status_code != 200:
                return Sample(None, time.perf_counter() - started, 0, f"HTTP {response.status_code}")
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    name = line[6:].strip()
                    if name == "token" and first is None:
                        first = time.perf_counter() - started
                elif line.startswith("data:") and name in ("done", "error"):
                    data = json.loads(line[5:])
                    if name == "error":
                        return Sample(first, time.perf_counter() - started, tokens, data.get("code", "error"))
                    tokens = int((data.get("usage") or {}).get("output_tokens") or 0)
    except httpx.HTTPError as exc:
        return Sample(first, time.perf_counter() - started, tokens, type(exc).__name__)
    return Sample(first, time.perf_counter() - started, tokens)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def report(label: str, users: int, samples: list[Sample], wall: float, where: str) -> None:
    ok = [s for s in samples if s.error is None]
    errors = sorted({s.error for s in samples if s.error})
    ttft = [s.ttft * 1000 for s in ok if s.ttft is not None]
    tokens = sum(s.output_tokens for s in ok)
    ttft_text = (f"TTFT p50 {statistics.median(ttft):7.0f} ms  p95 {pct(ttft, 95):7.0f} ms" if ttft
                 else "TTFT n/a")
    print(f"{label:<22} users={users:>2}  {len(ok) / wall:6.2f} req/s  {tokens / wall:7.1f} out tok/s  {ttft_text}"
          f"  errors={len(samples) - len(ok)}{' ' + str(errors) if errors else ''}   [{where}]")


async def level(users: int, per_user: int, backend: str, model: str, nexus: str, tokens: list[str],
                max_tokens: int, backend_label: str, hw: str) -> None:
    limits = httpx.Limits(max_connections=users + 4, max_keepalive_connections=users + 4)
    timeout = httpx.Timeout(600.0)
    async with httpx.AsyncClient(base_url=backend, limits=limits, timeout=timeout) as raw:
        async def raw_user() -> list[Sample]:
            return [await raw_request(raw, model, max_tokens) for _ in range(per_user)]
        started = time.perf_counter()
        results = await asyncio.gather(*(raw_user() for _ in range(users)))
        report("raw backend", users, [s for r in results for s in r], time.perf_counter() - started,
               f"{backend_label}; {hw}")
    async with httpx.AsyncClient(base_url=nexus, limits=limits, timeout=timeout) as ours:
        async def agent_user(i: int) -> list[Sample]:
            return [await agent_request(ours, tokens[i]) for _ in range(per_user)]
        started = time.perf_counter()
        results = await asyncio.gather(*(agent_user(i) for i in range(users)))
        report("nexus agent (SSE)", users, [s for r in results for s in r], time.perf_counter() - started,
               f"nexus serve → {backend_label}; {hw}")


async def warm_up(backend: str, model: str, nexus: str, token: str, max_tokens: int) -> None:
    """One request each way first: model load, router embeddings and grammar caches are not what is measured."""
    async with httpx.AsyncClient(base_url=backend, timeout=600) as raw:
        sample = await raw_request(raw, model, max_tokens)
    async with httpx.AsyncClient(base_url=nexus, timeout=600) as ours:
        turn = await agent_request(ours, token)
    print(f"warm-up: raw {sample.total:.1f} s, agent turn {turn.total:.1f} s"
          f"{' (' + str(sample.error or turn.error) + ')' if sample.error or turn.error else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1,8,32", help="comma-separated concurrency levels")
    parser.add_argument("--requests-per-user", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=64, help="answer cap, raw requests and agent turns alike")
    parser.add_argument("--backend-url", help="an OpenAI-compatible base URL (…/v1); default: start llama_cpp.server")
    parser.add_argument("--backend-model", default="smollm2")
    parser.add_argument("--backend-label", default=None)
    parser.add_argument("--structured-mode", choices=["json_schema", "json_object"], default=None)
    parser.add_argument("--workers", type=int, default=1, help="nexus serve worker processes")
    args = parser.parse_args()

    from server.auth import DevIssuer

    procs: list[subprocess.Popen[bytes]] = []
    hw = hardware()
    with tempfile.TemporaryDirectory(prefix="nexus-conc-") as data:
        try:
            backend = args.backend_url
            label = args.backend_label
            mode = args.structured_mode
            if backend is None:
                from agent.backends.llama_engine import default_model_path

                port = free_port()
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "llama_cpp.server", "--model", str(default_model_path()), "--host",
                     "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", str(os.cpu_count() or 2),
                     "--model_alias", args.backend_model,
                     # its default lets each new request cut off the one streaming: queue them instead
                     "--interrupt_requests", "false"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                backend = f"http://127.0.0.1:{port}/v1"
                wait_ready(f"{backend}/models", procs[-1])
                label = label or "llama_cpp.server, SmolLM2-135M Q4_1 GGUF"
                mode = mode or "json_object"
            label = label or backend
            nexus_port = free_port()
            env = {**os.environ, "NEXUS_DATA_DIR": data, "NEXUS_CHAT_BACKEND": "openai",
                   "NEXUS_OPENAI_BASE_URL": backend, "NEXUS_OPENAI_MODEL": args.backend_model,
                   "NEXUS_OPENAI_STRUCTURED_MODE": mode or "json_schema", "NEXUS_MAX_TOKENS": str(args.max_tokens),
                   "NEXUS_RATE_LIMIT_ENABLED": "false", "NEXUS_NOTIFICATIONS_ENABLED": "false",
                   "NEXUS_LOG_LEVEL": "warning", "PYTHONPATH": str(ROOT)}
            subprocess.run([sys.executable, "-c", "from server.bootstrap import build_container; "
                            "from server.settings import Settings; build_container(Settings()).close()"],
                           env=env, cwd=ROOT, check=True, capture_output=True)
            nexus_bin = str(Path(sys.executable).with_name("nexus"))
            procs.append(subprocess.Popen([nexus_bin, "serve", "--port", str(nexus_port), "--workers",
                                           str(args.workers)], env=env, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            nexus = f"http://127.0.0.1:{nexus_port}"
            wait_ready(f"{nexus}/readyz", procs[-1])
            issuer = DevIssuer(Path(data) / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
            levels = [int(x) for x in args.users.split(",")]
            tokens = [issuer.issue(f"bench{i}@acme", "acme", ["accountant", "employee"]) for i in range(max(levels))]
            print(f"backend: {label} ({backend}), structured mode {mode}; nexus serve --workers {args.workers}")
            print(f"hardware: {hw}; {args.requests_per_user} requests per user, answers capped at "
                  f"{args.max_tokens} tokens")
            asyncio.run(warm_up(backend, args.backend_model, nexus, tokens[0], args.max_tokens))
            for users in levels:
                asyncio.run(level(users, args.requests_per_user, backend, args.backend_model, nexus, tokens,
                                  args.max_tokens, label, hw))
        finally:
            for proc in reversed(procs):
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    main()
