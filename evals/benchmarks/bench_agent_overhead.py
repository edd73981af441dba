"""Agent + server overhead per turn, with the scripted backend (model time ~0), over real HTTP.

    .venv/bin/python -P evals/benchmarks/bench_agent_overhead.py [--turns 50]

Each turn: POST /v1/chat → route (embedding the request) → decide (scripted) → the `pending_approvals` tool on the
database → answer (scripted) → grounding → SSE done. Each server is its own uvicorn process, as in production (a
client never shares the server's interpreter lock); the client sends one turn at a time. Printed beside same-run
baselines over the same HTTP stack: `/healthz`, a direct (no agent) streamed turn of the same scripted answer, and
the agent turn with its router on the float ONNX query embedder (the default a session ago) and on torch (before).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DECISION = {"tool": "pending_approvals", "tool_args": {}}
ANSWER = "Nothing waits for your approval."
# variant → settings that differ from the product's defaults
VARIANTS: dict[str, dict[str, str]] = {
    "agent": {},
    "direct": {},
    "agent-float-routing": {"NEXUS_AGENT_ROUTE_RUNTIME": "query"},
    "agent-torch-routing": {"NEXUS_AGENT_ROUTE_RUNTIME": "query", "NEXUS_EMBEDDING_QUERY_RUNTIME": "torch"},
}


def make_app() -> Any:
    """uvicorn factory for one server process; ``NEXUS_BENCH_VARIANT`` picks the turn service."""
    from agent.backends.scripted import ScriptedChat
    from agent.direct import DirectTurns
    from server.app import create_app
    from server.bootstrap import build_container
    from server.settings import Settings

    if os.environ["NEXUS_BENCH_VARIANT"] == "direct":
        container = build_container(Settings(), chat_model=ScriptedChat([ANSWER], cycle=True),
                                    turns=lambda models: DirectTurns(models.get))
    else:
        container = build_container(Settings(), chat_model=ScriptedChat([DECISION, ANSWER], cycle=True))
        container.router()  # embed the tool catalogue before timing
    return create_app(container, load_model=False)


@contextmanager
def server(variant: str, data: Path) -> Iterator[str]:
    from evals.benchmarks.uvicorn_process import uvicorn_factory
    from retrieval.servers.supervisor import free_port

    env = {**os.environ, **VARIANTS[variant], "NEXUS_BENCH_VARIANT": variant, "NEXUS_DATA_DIR": str(data),
           "NEXUS_RATE_LIMIT_ENABLED": "false",  # measure the turn, not the throttle
           "NEXUS_NOTIFICATIONS_ENABLED": "false", "NEXUS_LOG_LEVEL": "warning"}
    with uvicorn_factory("evals.benchmarks.bench_agent_overhead:make_app", env, port=free_port()) as (_, base):
        yield base


_THREADS = itertools.count()


def _time(client: httpx.Client, method: str, path: str, body: Mapping[str, object] | None, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        if method == "GET":
            client.get(path).raise_for_status()
        else:
            resp = client.post(path, json={**(body or {}), "thread_id": f"bench-{next(_THREADS)}"})
            resp.raise_for_status()
            assert "event: done" in resp.text, resp.text[-300:]
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=50)
    args = parser.parse_args()
    from server.auth import DevIssuer

    data = Path(tempfile.mkdtemp(prefix="nexus-overhead-"))
    body = {"message": "What do I need to approve?"}
    timings: dict[str, list[float]] = {}
    with ExitStack() as stack:
        bases = {}
        for variant in VARIANTS:  # one at a time: they share the data folder's migrations and model exports
            bases[variant] = stack.enter_context(server(variant, data / variant))
        clients = {}
        for variant, base in bases.items():
            key = DevIssuer(data / variant / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
            token = key.issue("carol@acme", "acme", ["controller", "employee"])
            clients[variant] = stack.enter_context(
                httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30))
            _time(clients[variant], "POST", "/v1/chat", body, 3)  # the graph, checkpointer and connections
        timings["GET /healthz"] = _time(clients["agent"], "GET", "/healthz", None, args.turns)
        timings["direct streamed turn"] = _time(clients["direct"], "POST", "/v1/chat", body, args.turns)
        timings["agent turn (route+tool)"] = _time(clients["agent"], "POST", "/v1/chat", body, args.turns)
        timings["agent turn, float ONNX routing"] = _time(clients["agent-float-routing"], "POST", "/v1/chat", body,
                                                          args.turns)
        timings["agent turn, torch routing"] = _time(clients["agent-torch-routing"], "POST", "/v1/chat", body,
                                                     args.turns)
    print(f"turns: {args.turns}; scripted backend; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          "each server its own process")
    for label, values in timings.items():
        q = statistics.quantiles(values, n=20)
        print(f"{label:31} p50 {statistics.median(values):7.1f} ms   p95 {q[18]:7.1f} ms")
    agent, direct = timings["agent turn (route+tool)"], timings["direct streamed turn"]
    overhead = statistics.median(agent) - statistics.median(direct)
    print(f"agent overhead over a direct turn, p50: {overhead:.1f} ms")


if __name__ == "__main__":
    main()
