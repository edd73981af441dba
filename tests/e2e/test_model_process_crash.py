"""A real `nexus serve` whose model process is killed in the middle of a streamed reply: the stream ends with a
retryable error, /readyz says the model is down, the GL and approvals API keep answering, and the model comes back."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from retrieval.servers.supervisor import free_port, pid_alive
from server.auth import DevIssuer

pytestmark = pytest.mark.model


@pytest.fixture()
def server(spawn_server: Callable[..., Any], demo_db_template: Path, tmp_path: Path) -> tuple[str, str, str, int]:
    data = tmp_path / "data"
    data.mkdir()
    db = tmp_path / "demo.db"
    shutil.copy(demo_db_template, db)
    port = free_port()
    nexus = shutil.which("nexus") or str(Path(sys.executable).with_name("nexus"))
    env = {"NEXUS_DATA_DIR": str(data), "NEXUS_DATABASE_URL": f"sqlite:///{db}", "NEXUS_N_CTX": "2048",
           "NEXUS_MAX_TOKENS": "200", "NEXUS_BUSINESS_DATE": "2026-11-15"}
    base = f"http://127.0.0.1:{port}"
    proc = spawn_server([nexus, "serve", "--port", str(port)], f"{base}/healthz", env=env, timeout_s=90)
    wait_until(lambda: httpx.get(f"{base}/readyz").status_code == 200, 90)
    issuer = DevIssuer(data / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
    controller = issuer.issue("carol@acme", "acme", ["controller"])
    return base, controller, issuer.issue("alice@acme", "acme", ["accountant"]), proc.pid


def wait_until(predicate: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.2)


def model_pid(server_pid: int) -> int:
    """The engine worker of this test's server (its child; other tests' servers may be running too)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"agent.backends.engine_worker" in cmdline and parent == server_pid:
            return int(entry.name)
    raise AssertionError("no model process found")


def test_model_crash_mid_stream_is_contained(server: tuple[str, str, str, int]) -> None:
    base, controller, accountant, server_pid = server
    pid = model_pid(server_pid)
    body = {"model": "smollm2-135m-instruct", "stream": True, "max_tokens": 200,
            "messages": [{"role": "user", "content": "Write a long story about a ledger that never balanced."}]}
    frames: list[str] = []
    with httpx.stream("POST", f"{base}/v1/chat/completions", json=body, timeout=60,
                      headers={"Authorization": f"Bearer {accountant}"}) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            frames.append(line[5:].strip())
            if len(frames) == 1:
                # A native fault in llama.cpp as the reply is being generated. (After the first frame, the role
                # chunk: a later kill could come after a short greedy reply had already ended.)
                os.kill(pid, signal.SIGSEGV)
    assert frames[-1] == "[DONE]"
    error = json.loads(frames[-2])
    assert error["error"]["code"] == "backend_unavailable"  # retryable (tests/integration/runtime)

    # While the model restarts, everything that does not need it keeps answering.
    ready = httpx.get(f"{base}/readyz").json()
    assert ready["components"]["model"]["state"] in {"down", "starting", "ready"}
    auth = {"Authorization": f"Bearer {controller}"}
    assert httpx.get(f"{base}/v1/gl/trial-balance", headers=auth).status_code == 200
    assert httpx.get(f"{base}/v1/approvals", headers=auth).status_code == 200
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}

    wait_until(lambda: httpx.get(f"{base}/readyz").status_code == 200, 60)
    ready = httpx.get(f"{base}/readyz").json()
    assert ready["components"]["model"] == {"state": "ready", "reason": None, "restarts": 1}
    assert not pid_alive(pid)
    metrics = httpx.get(f"{base}/metrics", headers=auth).text
    assert 'nexus_component_restarts_total{component="model"} 1.0' in metrics
    again = httpx.post(f"{base}/v1/chat/completions", timeout=60, headers={"Authorization": f"Bearer {accountant}"},
                       json={**body, "stream": False, "max_tokens": 4})
    assert again.status_code == 200
