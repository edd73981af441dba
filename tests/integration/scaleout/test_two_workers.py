"""``nexus serve --workers 2`` over shared stores (PostgreSQL ledger and checkpoints, Redis rate limits, Milvus Lite in
server mode): a thread started on one worker continues on the other, both workers' retrieval uses the one vector
server, an approval made through one is seen by the other, and the per-user rate limit counts requests on both.
Requests are pinned to a worker by the kernel's socket table (see workers.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from erp_core import migrations
from erp_core.db import Database
from retrieval.servers.supervisor import free_port
from server.auth import DevIssuer

pytestmark = [pytest.mark.postgres, pytest.mark.model, pytest.mark.slow]


def nexus_cli() -> str:
    return shutil.which("nexus") or str(Path(sys.executable).with_name("nexus"))


@pytest.fixture(scope="module")
def cluster(pg_database_factory: Any, kit: Any, worker_tools: Any,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url = pg_database_factory("nexus_workers")
    migrations.upgrade(url)
    tenant = f"w{uuid.uuid4().hex[:8]}"
    db = Database(url)
    kit.setup_books(db, tenant)
    db.dispose()

    data = tmp_path_factory.mktemp("nexus-two-workers")
    milvus_port = free_port()
    milvus = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir",
                               str(tmp_path_factory.mktemp("milvus") / "milvus.db"), "--host", "127.0.0.1",
                               "--port", str(milvus_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(milvus_port, milvus)
    issuer = DevIssuer(data / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
    port = free_port()
    env = {**os.environ, "NEXUS_DATA_DIR": str(data), "NEXUS_DATABASE_URL": url,
           "NEXUS_CHECKPOINT_URL": url.replace("postgresql+psycopg://", "postgresql://", 1),
           "NEXUS_REDIS_URL": "redis://127.0.0.1:6379/0",
           "NEXUS_MILVUS_URI": f"http://127.0.0.1:{milvus_port}", "NEXUS_RATE_LIMIT_USER": "6/minute",
           "NEXUS_NOTIFICATIONS_ENABLED": "false", "NEXUS_BUSINESS_DATE": "2026-10-20",
           "NEXUS_MAX_TOKENS": "48", "NEXUS_LOG_LEVEL": "warning",
           "NEXUS_GC_FREEZE": "true"}  # the production default, off in the test process itself
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen([nexus_cli(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        workers: list[int] = []
        while True:  # both workers up and the model loaded in each
            assert proc.poll() is None, (data / "server.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "workers did not become ready"
            workers = worker_tools.children(proc.pid)
            try:
                ready = len(workers) == 2 and all(
                    worker_tools.WorkerClient(port, workers, pid).request("GET", "/readyz")[0] == 200
                    for pid in workers)
            except (OSError, AssertionError, httpx.HTTPError):
                ready = False
            if ready:
                break
            time.sleep(1)
        yield {"port": port, "workers": workers, "issuer": issuer, "tenant": tenant, "url": url,
               "milvus_port": milvus_port, "data": data}
    finally:
        milvus.terminate()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert proc.poll() is None, "milvus-lite server exited"
            assert time.monotonic() < deadline, "milvus-lite server did not start"
            time.sleep(0.2)


def client(cluster: dict[str, Any], worker_tools: Any, which: int, user: str, roles: str) -> Any:
    token = cluster["issuer"].issue(f"{user}@{cluster['tenant']}", cluster["tenant"], roles.split(","))
    return worker_tools.WorkerClient(cluster["port"], cluster["workers"], cluster["workers"][which],
                                     {"Authorization": f"Bearer {token}"})


def test_an_approval_made_through_one_worker_is_seen_by_the_other(cluster: dict[str, Any], worker_tools: Any) -> None:
    alice_a = client(cluster, worker_tools, 0, "alice", "accountant,employee")
    carol_b = client(cluster, worker_tools, 1, "carol", "controller,employee")
    carol_a = client(cluster, worker_tools, 0, "carol", "controller,employee")
    body = {"date": "2026-10-05", "memo": "Office rent October", "idempotency_key": uuid.uuid4().hex,
            "lines": [{"account_code": "6100", "debit": "42000.00", "currency": "USD"},
                      {"account_code": "1010", "credit": "42000.00", "currency": "USD"}]}
    status, entry = alice_a.json("POST", "/v1/gl/journal-entries", body)
    assert status == 201 and entry["status"] != "posted", entry  # waits for a controller

    status, pending = carol_b.json("GET", "/v1/approvals")
    assert status == 200
    mine = [p for p in pending if p["document_id"] == entry["id"]]
    assert len(mine) == 1, pending
    approval = mine[0]
    status, decided = carol_b.json("POST", f"/v1/approvals/{approval['id']}/approve",
                                   {"payload_hash": approval["payload_hash"]})
    assert status == 200, decided

    status, seen = carol_a.json("GET", f"/v1/approvals/{approval['id']}")
    assert status == 200 and seen["status"] == "approved"
    status, posted = alice_a.json("GET", f"/v1/gl/journal-entries/{entry['id']}")
    assert status == 200 and posted["status"] == "posted"


def test_a_thread_started_on_one_worker_continues_on_the_other(cluster: dict[str, Any], worker_tools: Any) -> None:
    alice_a = client(cluster, worker_tools, 0, "alice", "accountant,employee")
    alice_b = client(cluster, worker_tools, 1, "alice", "accountant,employee")
    eve_b = client(cluster, worker_tools, 1, "eve", "employee")
    thread = f"t-{uuid.uuid4().hex[:10]}"

    status, first = alice_a.chat("Hello, who are you?", thread)
    assert status == 200 and first[-1][0] == "done", first

    # Worker B finds the thread in the shared checkpointer: it belongs to alice, so eve may not continue it...
    status, stolen = eve_b.chat("And what did I ask before?", thread)
    assert status == 200
    errors = [data for name, data in stolen if name == "error"]
    assert errors and errors[0]["code"] == "not_found", stolen
    # ...and alice continues it there, with the first turn in the model's context (a longer prompt than the
    # same message in a new thread).
    status, second = alice_b.chat("Thanks. Say it once more.", thread)
    assert status == 200 and second[-1][0] == "done", second
    status, fresh = alice_b.chat("Thanks. Say it once more.", f"t-{uuid.uuid4().hex[:10]}")
    assert status == 200 and fresh[-1][0] == "done", fresh
    continued_tokens = second[-1][1]["usage"]["input_tokens"]
    fresh_tokens = fresh[-1][1]["usage"]["input_tokens"]
    assert continued_tokens > fresh_tokens, (second[-1], fresh[-1])

    # A document question on each worker opens the document search there (stores are opened when a tool first needs
    # them): both workers talk to the one milvus-lite server, neither fell back to a private Milvus Lite file (which
    # only one process could open).
    reader = f"reader{uuid.uuid4().hex[:6]}"  # a fresh user: alice has spent her 6 requests a minute
    for which in (0, 1):
        worker = client(cluster, worker_tools, which, reader, "employee")
        status, searched = worker.chat("What does our travel policy say about hotel costs?")
        calls = {data.get("name") for event, data in searched if event == "tool_call"}
        assert status == 200 and "search_documents" in calls, searched
    assert all(worker_tools.connected_to(pid, cluster["milvus_port"]) for pid in cluster["workers"])
    assert not (cluster["data"] / "milvus.db").exists()


def test_the_user_rate_limit_counts_requests_on_both_workers(cluster: dict[str, Any], worker_tools: Any) -> None:
    user = f"rl{uuid.uuid4().hex[:6]}"
    on_a = client(cluster, worker_tools, 0, user, "accountant,employee")
    on_b = client(cluster, worker_tools, 1, user, "accountant,employee")
    statuses = [c.request("GET", "/v1/gl/accounts")[0] for c in (on_a, on_b, on_a, on_b, on_a, on_b)]
    assert statuses == [200] * 6  # the limit is 6/minute, counted in Redis across both workers
    assert on_a.request("GET", "/v1/gl/accounts")[0] == 429
    assert on_b.request("GET", "/v1/gl/accounts")[0] == 429
