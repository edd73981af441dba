"""Agent + server overhead per turn, with the scripted backend (model time ~0), over real HTTP.

    .venv/bin/python -P evals/benchmarks/bench_agent_overhead.py [--turns 50]

Each turn: POST /v1/chat → route (embedding the request) → decide (scripted) → the `pending_approvals` tool on the
database → answer (scripted) → grounding → SSE done. Printed beside same-run baselines over the same HTTP
stack: `/healthz`, a direct (no agent) streamed turn of the same scripted answer, and the agent turn with its query
embedding on torch instead of ONNX Runtime.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from agent.backends.scripted import ScriptedChat
from agent.direct import DirectTurns
from retrieval.servers.supervisor import free_port
from server.app import create_app
from server.bootstrap import build_container
from server.settings import Settings

DECISION = {"tool": "pending_approvals", "tool_args": {}}
ANSWER = "Nothing waits for your approval."


def _serve(app: FastAPI) -> tuple[uvicorn.Server, str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


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
    data = Path(tempfile.mkdtemp(prefix="nexus-overhead-"))
    settings = Settings(data_dir=data, rate_limit_enabled=False, _env_file=None)  # measure the turn, not the throttle
    container = build_container(settings, chat_model=ScriptedChat([DECISION, ANSWER], cycle=True))
    container.extras["router"]()  # embed the tool catalogue before timing
    server, base = _serve(create_app(container, load_model=False))
    # The same agent with query embeddings on torch instead of ONNX Runtime (the product's default before).
    torch_settings = settings.model_copy(update={"embedding_query_runtime": "torch"})
    on_torch = build_container(torch_settings, chat_model=ScriptedChat([DECISION, ANSWER], cycle=True))
    on_torch.extras["router"]()
    torch_server, torch_base = _serve(create_app(on_torch, load_model=False))
    direct = build_container(settings, chat_model=ScriptedChat([ANSWER], cycle=True))
    direct.turns = DirectTurns(direct.models.get)
    direct_server, direct_base = _serve(create_app(direct, load_model=False))
    assert container.dev_issuer is not None
    token = container.dev_issuer.issue("carol@acme", "acme", ["controller", "employee"])
    headers = {"Authorization": f"Bearer {token}"}
    body = {"message": "What do I need to approve?"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client, \
            httpx.Client(base_url=direct_base, headers=headers, timeout=30) as dclient, \
            httpx.Client(base_url=torch_base, headers=headers, timeout=30) as tclient:
        for warm in (client, dclient, tclient):  # the graph, checkpointer and connections
            _time(warm, "POST", "/v1/chat", body, 3)
        health = _time(client, "GET", "/healthz", None, args.turns)
        plain = _time(dclient, "POST", "/v1/chat", body, args.turns)
        agent = _time(client, "POST", "/v1/chat", body, args.turns)
        agent_torch = _time(tclient, "POST", "/v1/chat", body, args.turns)
    server.should_exit = direct_server.should_exit = torch_server.should_exit = True
    print(f"turns: {args.turns}; scripted backend; 2 CPU cores")
    rows = (("GET /healthz", health), ("direct streamed turn", plain), ("agent turn (route+tool)", agent),
            ("agent turn, torch queries", agent_torch))
    for label, values in rows:
        q = statistics.quantiles(values, n=20)
        print(f"{label:28} p50 {statistics.median(values):7.1f} ms   p95 {q[18]:7.1f} ms")
    print(f"agent overhead over a direct turn, p50: {statistics.median(agent) - statistics.median(plain):.1f} ms")


if __name__ == "__main__":
    main()
