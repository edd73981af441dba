"""Per-turn latency of the conversation suite over HTTP, one client and two clients at once, with the default model.

    .venv/bin/python -P evals/benchmarks/bench_conversations.py                      # this tree only
    git worktree add /tmp/baseline 57fd2d6
    .venv/bin/python -P evals/benchmarks/bench_conversations.py --baseline /tmp/baseline   # and the old design

For each code tree (this one, and ``--baseline`` when given) the script seeds the demo company (``nexus seed``) and
indexes the demo documents (``nexus index --no-content``) into a fresh data folder with that tree's own code, starts
the real server (``uvicorn server.asgi:create``, the default model and settings, the business date pinned to
2026-11-16, rate limits and notifications off) as its own process, and replays every conversation of
``evals/datasets/conversations.yaml`` through ``POST /v1/chat`` as the conversation's user, one thread per
conversation: first with one client (turns one after another), then with two clients at once (each replays every
conversation). A turn's latency is from the request until its ``done`` event; TTFT until its first ``token``.

Targets (issue 14): p50 ≤ 2.5 s, p95 ≤ 5 s with one client, and no worse than 2x that with two.
Rows are printed side by side, with the CPU count and load average: compare rows of the same run only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TODAY = "2026-11-16"  # the pinned business date the suite's periods are relative to
TARGET_P50_S, TARGET_P95_S, TARGET_TWO_CLIENTS = 2.5, 5.0, 2.0


@dataclass
class Sample:
    latency_s: float
    ttft_s: float | None
    error: str | None


@dataclass(frozen=True)
class Conversation:
    id: str
    user: str
    tenant: str
    roles: tuple[str, ...]
    turns: tuple[str, ...]


def conversations(limit: int | None) -> list[Conversation]:
    from evals.harness.cases import load_suites

    out = [Conversation(c.id, c.actor.user_id, c.actor.tenant, tuple(sorted(c.actor.roles)),
                        tuple(str(s.say) for s in c.steps)) for c in load_suites(names=["conversations"])]
    return out[:limit] if limit else out


def _env(data: Path, code: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code), "NEXUS_DATA_DIR": str(data), "NEXUS_BUSINESS_DATE": TODAY,
            "NEXUS_RATE_LIMIT_ENABLED": "false", "NEXUS_NOTIFICATIONS_ENABLED": "false", "NEXUS_LOG_LEVEL": "warning",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HAYSTACK_TELEMETRY_ENABLED": "False"}


def prepare(data: Path, code: Path) -> None:
    """Seed and index with the tree's own CLI, as a user's ``make run`` would."""
    cli = [sys.executable, "-c", "from cli import main; main()"]
    for args in (["seed", "--size", "small"], ["index", str(code / "retrieval" / "corpus"), "--no-content"]):
        subprocess.run([*cli, *args], env=_env(data, code), cwd=code, check=True, stdout=subprocess.DEVNULL)


@contextmanager
def server(data: Path, code: Path, port: int, start_timeout_s: float = 300) -> Iterator[str]:
    """``uvicorn server.asgi:create`` from the tree at ``code``, until the model and database are ready."""
    log = (data / "server.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.asgi:create", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                            env=_env(data, code), cwd=code, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server from {code} did not become ready (see {data / 'server.log'})")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def tokens(data: Path, convs: Sequence[Conversation]) -> dict[str, str]:
    from server.auth import DevIssuer

    issuer = DevIssuer(data / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
    return {c.user: issuer.issue(c.user, c.tenant, list(c.roles)) for c in convs}


async def turn(client: httpx.AsyncClient, token: str, message: str, thread: str) -> Sample:
    started = time.perf_counter()
    first: float | None = None
    event = ""
    error = None
    try:
        async with client.stream("POST", "/v1/chat", json={"message": message, "thread_id": thread},
                                 headers={"Authorization": f"Bearer {token}"}) as response:
            if response.status_code != 200:
                return Sample(time.perf_counter() - started, None, f"HTTP {response.status_code}")
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "token" and first is None:
                    if json.loads(line[5:]).get("text", "").strip():
                        first = time.perf_counter() - started
                elif line.startswith("data:") and event == "error":
                    error = str(json.loads(line[5:]).get("code"))
                elif event == "done" and line.startswith("data:"):
                    break
    except httpx.HTTPError as exc:
        error = type(exc).__name__
    return Sample(time.perf_counter() - started, first, error)


async def replay(base: str, convs: Sequence[Conversation], keys: dict[str, str], tag: str) -> list[Sample]:
    """Every conversation, one thread each, turns one after another."""
    samples = []
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for conv in convs:
            thread = f"bench-{tag}-{conv.id}-{time.monotonic_ns()}"
            for message in conv.turns:
                samples.append(await turn(client, keys[conv.user], message, thread))
    return samples


async def measure(base: str, convs: Sequence[Conversation], keys: dict[str, str]) -> dict[str, list[Sample]]:
    await replay(base, convs[:2], keys, "warm")  # the router's catalogue, the checkpointer, the model's first call
    one = await replay(base, convs, keys, "one")
    a, b = await asyncio.gather(replay(base, convs, keys, "two-a"), replay(base, convs, keys, "two-b"))
    return {"1 client": one, "2 clients": a + b}


def _q(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def row(label: str, samples: list[Sample]) -> tuple[str, float, float]:
    lat = [s.latency_s for s in samples]
    ttft = [s.ttft_s for s in samples if s.ttft_s is not None]
    errors = sum(1 for s in samples if s.error)
    p50, p95 = statistics.median(lat), _q(lat, 95)
    ttft_text = f"TTFT p50 {statistics.median(ttft):5.2f} s" if ttft else "TTFT –"
    print(f"{label:34} turns {len(samples):4}  p50 {p50:6.2f} s  p95 {p95:6.2f} s  {ttft_text}  errors {errors}",
          flush=True)
    return label, p50, p95


def run_tree(name: str, code: Path, convs: Sequence[Conversation], workdir: Path,
             port: int) -> dict[str, list[Sample]]:
    data = workdir / name
    print(f"[{name}] seeding and indexing with {code} ...", flush=True)
    prepare(data, code)
    with server(data, code, port) as base:
        print(f"[{name}] replaying {len(convs)} conversations, {sum(len(c.turns) for c in convs)} turns", flush=True)
        results = asyncio.run(measure(base, convs, tokens(data, convs)))
    for label, samples in results.items():  # as soon as measured: a later tree may run out of time
        row(f"[{name}] {label}", samples)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="A checkout of the design to compare with (git worktree).")
    parser.add_argument("--limit", type=int, help="Only the first N conversations (quick looks).")
    args = parser.parse_args()
    from retrieval.servers.supervisor import free_port

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a timeout still stops the server it started

    convs = conversations(args.limit)
    workdir = Path(tempfile.mkdtemp(prefix="nexus-bench-conversations-"))
    trees = [("current", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    results = {name: run_tree(name, code, convs, workdir, free_port()) for name, code in trees}
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; default model; "
          f"{len(convs)} conversations, {sum(len(c.turns) for c in convs)} turns per client")
    for name, by_clients in results.items():
        rows = [row(f"{name}: {label}", samples) for label, samples in by_clients.items()]
        (_, p50_one, p95_one), (_, p50_two, p95_two) = rows
        print(f"{'':34} two clients / one: p50 {p50_two / p50_one:4.2f}x, p95 {p95_two / p95_one:4.2f}x")
    current = results["current"]
    one = [s.latency_s for s in current["1 client"]]
    two = [s.latency_s for s in current["2 clients"]]
    errors = sum(1 for samples in current.values() for s in samples if s.error)
    ok = (not errors and statistics.median(one) <= TARGET_P50_S and _q(one, 95) <= TARGET_P95_S and
          statistics.median(two) <= TARGET_TWO_CLIENTS * TARGET_P50_S and
          _q(two, 95) <= TARGET_TWO_CLIENTS * TARGET_P95_S)
    print(f"targets (p50 <= {TARGET_P50_S} s, p95 <= {TARGET_P95_S} s, two clients <= {TARGET_TWO_CLIENTS:.0f}x): "
          f"{'met' if ok else 'not met'}{f' ({errors} turns ended in an error)' if errors else ''}; "
          f"server logs under {workdir}")
    if not args.baseline:
        print("baseline not run (pass --baseline /tmp/baseline); the issue's measured figures for the old design: "
              "p50 3.7 s, p95 8.5 s with one client, p50 17.6 s with a second client (2 CPUs)")


if __name__ == "__main__":
    main()
