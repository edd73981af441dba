"""``POST /v1/gl/journal-entries/batch`` against a real `nexus serve` process, and rate limits per route class."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from retrieval.servers.supervisor import free_port
from server.auth import DevIssuer

USER_LIMIT = 5  # per minute, for chat and the other default-class routes; GL writes keep their higher default


@pytest.fixture(scope="module")
def server(spawn_server: Callable[..., object], tmp_path_factory: pytest.TempPathFactory) -> tuple[str, DevIssuer]:
    data = tmp_path_factory.mktemp("nexus-gl-batch")
    issuer = DevIssuer(data / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
    port = free_port()
    nexus = shutil.which("nexus") or str(Path(sys.executable).with_name("nexus"))
    base = f"http://127.0.0.1:{port}"
    spawn_server([nexus, "serve", "--host", "127.0.0.1", "--port", str(port)], f"{base}/healthz",
                 env={"NEXUS_DATA_DIR": str(data), "NEXUS_RATE_LIMIT_USER": f"{USER_LIMIT}/minute"}, timeout_s=90)
    return base, issuer


class Books:
    def __init__(self, base: str, issuer: DevIssuer) -> None:
        self.base, self.issuer, self.tenant = base, issuer, f"batch{uuid.uuid4().hex[:8]}"

    def as_(self, name: str, roles: str) -> httpx.Client:
        token = self.issuer.issue(f"{name}@{self.tenant}", self.tenant, roles.split(","))
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {token}"}, timeout=60)


@pytest.fixture()
def books(server: tuple[str, DevIssuer]) -> Books:
    books = Books(*server)
    with books.as_("root", "admin") as root, books.as_("alice", "accountant") as alice:
        for body in ({"code": "1000", "name": "Assets", "type": "asset", "postable": False},
                     {"code": "1010", "name": "Cash", "type": "asset", "parent_code": "1000"},
                     {"code": "6000", "name": "Expenses", "type": "expense", "postable": False},
                     {"code": "6100", "name": "Rent Expense", "type": "expense", "parent_code": "6000"}):
            assert root.post("/v1/gl/accounts", json=body).status_code == 201
        assert alice.post("/v1/gl/periods", json={"year": 2026, "month": 10}).status_code == 201
    return books


def je(key: str, amount: str, debit: str = "6100", credit: str = "1010") -> dict[str, Any]:
    return {"date": "2026-10-05", "memo": f"entry {key}", "idempotency_key": key, "lines": [
        {"account_code": debit, "debit": amount, "currency": "USD"},
        {"account_code": credit, "credit": amount, "currency": "USD"}]}


def _cash(client: httpx.Client) -> str:
    return str(client.get("/v1/gl/accounts/1010/balance").json()["balance"])


def test_batch_posts_small_entries_and_leaves_large_ones_for_approval(books: Books) -> None:
    with books.as_("alice", "accountant") as alice, books.as_("carol", "controller") as carol:
        batch = [je("b-1", "100.00"), je("b-2", "25000.00"), je("b-3", "50.50")]
        response = alice.post("/v1/gl/journal-entries/batch", json={"entries": batch})
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert [r["idempotency_key"] for r in results] == ["b-1", "b-2", "b-3"]
        assert [r["status"] for r in results] == ["posted", "pending_approval", "posted"]
        assert "approval_id" not in results[0] and results[1]["approval_id"]
        assert all(len(r["payload_hash"]) == 64 and r["id"] for r in results)
        one = alice.get(f"/v1/gl/journal-entries/{results[0]['id']}").json()
        assert one["status"] == "posted" and one["payload_hash"] == results[0]["payload_hash"]

        replay = alice.post("/v1/gl/journal-entries/batch", json={"entries": batch})
        assert replay.status_code == 200 and replay.json()["results"] == results

        approval = carol.post(f"/v1/approvals/{results[1]['approval_id']}/approve",
                              json={"payload_hash": results[1]["payload_hash"]})
        assert approval.status_code == 200, approval.text
        assert alice.get(f"/v1/gl/journal-entries/{results[1]['id']}").json()["status"] == "posted"


def test_an_invalid_batch_lists_every_issue_and_stores_nothing(books: Books) -> None:
    with books.as_("alice", "accountant") as alice:
        assert alice.post("/v1/gl/journal-entries/batch", json={"entries": [je("kept", "10.00")]}).status_code == 200
        before = _cash(alice)
        bad = [je("ok", "10.00"), je("unknown", "10.00", debit="9999"),
               {**je("unbalanced", "10.00"), "lines": [je("x", "10.00")["lines"][0],
                                                      {"account_code": "1010", "credit": "9.00", "currency": "USD"}]},
               je("kept", "11.00"), je("ok", "10.00")]
        response = alice.post("/v1/gl/journal-entries/batch", json={"entries": bad})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        fields = {(i["code"], (i["field"] or "")[:10]) for i in error["issues"]}
        assert ("unknown_account", "entries[1]") in fields
        assert ("unbalanced", "entries[2]") in fields
        assert ("idempotency_conflict", "entries[3]") in fields
        assert any(i["code"] == "duplicate_idempotency_key" for i in error["issues"])
        assert _cash(alice) == before
        alone = alice.post("/v1/gl/journal-entries/batch", json={"entries": [je("ok", "10.00")]}).json()
        assert alone["results"][0]["status"] == "posted"
        assert _cash(alice) != before
        too_many = alice.post("/v1/gl/journal-entries/batch", json={"entries": []})
        assert too_many.status_code == 422


def test_gl_writes_count_apart_from_the_default_class(books: Books) -> None:
    with books.as_("dave", "accountant") as dave:
        writes = [dave.post("/v1/gl/journal-entries/batch", json={"entries": [je(f"w-{i}", "1.00")]}).status_code
                  for i in range(USER_LIMIT + 3)]
        assert writes == [200] * (USER_LIMIT + 3)  # more than the default limit: GL writes have their own window
        reads = [dave.get("/v1/gl/accounts").status_code for _ in range(USER_LIMIT + 1)]
        assert reads[:USER_LIMIT] == [200] * USER_LIMIT and reads[USER_LIMIT] == 429
