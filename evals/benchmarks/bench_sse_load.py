"""200 concurrent SSE chat streams against a real server with the scripted backend: errors and time to first event.

    .venv/bin/python evals/benchmarks/bench_sse_load.py [--streams 200] [--rounds 2]

The server is a separate uvicorn process (so the load generator does not share its GIL) running the full app: token
verification, rate limits, metrics, tracing, the SSE framing, and a turn whose model is ``ScriptedChat`` (the
overhead of everything but the model). Each stream is a different user (per-user rate limits stay realistic).

Same-run baseline: the same number of concurrent ``GET /healthz`` requests (no auth, no turn), time to first byte.
Target (issue 7): 0 errors, p99 time to first event ≤ 200 ms. Round 1 is a cold burst: all but the 20 warm-up users
are new to the server (their tokens are verified, their rate-limit buckets made); later rounds are the same users
again. ``--workers 2`` runs one server process per core of a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ANSWER = "Rent for October was 42,000.00 USD, booked to account 6100 on the fifth, in line with the HQ lease."


def make_app() -> Any:
    """uvicorn factory for the server process: the real app with a scripted model and plain streamed turns."""
    from agent.backends.scripted import ScriptedChat
    from agent.direct import DirectTurns
    from server.app import create_app
    from server.bootstrap import build_container
    from server.settings import Settings

    container = build_container(Settings(), chat_model=ScriptedChat([ANSWER], cycle=True),
                                turns=lambda models: DirectTurns(models.get))
    return create_app(container, load_model=False)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (f"{name:<34} n={len(ms):>4}  p50={statistics.median(ms):7.1f} ms  p95={percentile(ms, 95):7.1f} ms  "
            f"p99={percentile(ms, 99):7.1f} ms  max={max(ms):7.1f} ms")


async def _request(port: int, method: str, path: str, body: bytes = b"",
                   headers: dict[str, str] | None = None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, int]:
    """A bare HTTP/1.1 request over asyncio streams (no client library: its overhead would be measured too)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in (headers or {}).items())]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    return reader, writer, status


async def one_stream(port: int, token: str, n: int) -> tuple[float, int, str | None]:
    """(time to first SSE event, number of events, error or None)."""
    body = json.dumps({"message": f"rent in October? #{n}"}).encode()
    started = time.perf_counter()
    first: float | None = None
    events = 0
    saw_done = False
    try:
        reader, writer, status = await _request(port, "POST", "/v1/chat", body, {
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            if status != 200:
                return 0.0, 0, f"HTTP {status}"
            async for raw in reader:  # chunked framing lines are skipped: only event lines matter
                line = raw.decode(errors="replace").strip()
                if line.startswith("event:"):
                    if first is None:
                        first = time.perf_counter() - started
                    events += 1
                    name = line[6:].strip()
                    if name == "error":
                        return first, events, "error event"
                    if name == "done":
                        saw_done = True
                        break
        finally:
            writer.close()
    except OSError as exc:
        return 0.0, events, type(exc).__name__
    if first is None or not saw_done:
        return first or 0.0, events, "stream ended without done"
    return first, events, None


async def baseline(port: int, count: int) -> list[float]:
    async def one() -> float:
        started = time.perf_counter()
        reader, writer, _ = await _request(port, "GET", "/healthz")
        await reader.read(1)
        elapsed = time.perf_counter() - started
        writer.close()
        return elapsed

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def run(port: int, tokens: list[str], rounds: int) -> None:
    await baseline(port, 20)  # warm the app
    await asyncio.gather(*(one_stream(port, tokens[i], i) for i in range(min(20, len(tokens)))))
    for r in range(1, rounds + 1):
        base = await baseline(port, len(tokens))
        started = time.perf_counter()
        results = await asyncio.gather(*(one_stream(port, token, i) for i, token in enumerate(tokens)))
        wall = time.perf_counter() - started
        errors = [err for _, _, err in results if err]
        ttfe = [t for t, _, err in results if not err]
        events = sum(n for _, n, _ in results)
        print(f"\nround {r} ({'cold: new users' if r == 1 else 'warm: the same users'}): {len(tokens)} concurrent "
              f"streams in {wall:.2f} s, {events} events, {len(errors)} errors {sorted(set(errors)) if errors else ''}")
        print(summary("baseline GET /healthz (first byte)", base))
        if ttfe:
            print(summary("POST /v1/chat (first SSE event)", ttfe))
            p99 = percentile([t * 1000 for t in ttfe], 99)
            print(f"target p99 ≤ 200 ms and 0 errors: {'MET' if p99 <= 200 and not errors else 'NOT MET'}")


def server_ttft(base_url: str) -> str:
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    buckets: list[tuple[float, float]] = []
    for family in text_string_to_metric_families(text):
        if family.name == "nexus_chat_ttft_seconds":
            buckets = [(float(s.labels["le"]), s.value) for s in family.samples if s.name.endswith("_bucket")]
    if not buckets:
        return "  (no samples)"
    total = buckets[-1][1]
    def quantile(q: float) -> str:
        for le, count in buckets:
            if count >= q * total:
                return f"≤ {le * 1000:g} ms"
        return "> largest bucket"
    return f"  n={int(total)}  p50 {quantile(0.5)}  p99 {quantile(0.99)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()

    from evals.benchmarks.uvicorn_process import uvicorn_factory
    from retrieval.servers.supervisor import free_port
    from server.auth import DevIssuer

    with tempfile.TemporaryDirectory(prefix="nexus-load-") as data:
        port = free_port()
        env = {**os.environ, "NEXUS_DATA_DIR": data, "NEXUS_LOG_LEVEL": "warning",
               "NEXUS_NOTIFICATIONS_ENABLED": "false", "PYTHONPATH": str(ROOT)}
        # Migrate once up front: worker processes would otherwise race to create the schema.
        subprocess.run([sys.executable, "-c", "from server.bootstrap import build_container; "
                        "from server.settings import Settings; build_container(Settings()).close()"],
                       env=env, cwd=ROOT, check=True, capture_output=True)
        server = uvicorn_factory("evals.benchmarks.bench_sse_load:make_app", env, port=port, start_timeout_s=120,
                                 extra=["--backlog", "2048", "--timeout-keep-alive", "120",
                                        "--workers", str(args.workers)])
        with server as (process, base_url):
            issuer = DevIssuer(Path(data) / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
            tokens = [issuer.issue(f"load{i}@acme", "acme", ["employee"]) for i in range(args.streams)]
            print(f"server pid {process.pid} on {base_url}; {args.streams} streams x {args.rounds} rounds; "
                  f"scripted backend ({len(ANSWER.split())} token events per answer)")
            print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
            asyncio.run(run(port, tokens, args.rounds))
            print("\nserver-side time to first token (turn start → first token, from /metrics):")
            print(server_ttft(base_url))


if __name__ == "__main__":
    main()
