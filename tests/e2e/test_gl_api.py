"""The GL and approvals HTTP API against a real `nexus serve` process (SQLite file, dev issuer, 127.0.0.1)."""

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


class Api:
    """An HTTP client per user of one tenant."""

    def __init__(self, base: str, issuer: DevIssuer, tenant: str) -> None:
        self.base, self.issuer, self.tenant = base, issuer, tenant

    def as_(self, name: str, roles: str) -> httpx.Client:
        token = self.issuer.issue(f"{name}@{self.tenant}", self.tenant, roles.split(","))
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


@pytest.fixture(scope="module")
def server(spawn_server: Callable[..., object], tmp_path_factory: pytest.TempPathFactory) -> tuple[str, DevIssuer]:

    data = tmp_path_factory.mktemp("nexus-gl-e2e")
    issuer = DevIssuer(data / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
    port = free_port()
    nexus = shutil.which("nexus") or str(Path(sys.executable).with_name("nexus"))
    base = f"http://127.0.0.1:{port}"
    spawn_server([nexus, "serve", "--host", "127.0.0.1", "--port", str(port)], f"{base}/healthz",
                 env={"NEXUS_DATA_DIR": str(data), "NEXUS_LOG_JSON": "true"}, timeout_s=90)
    return base, issuer


@pytest.fixture()
def api(server: tuple[str, DevIssuer]) -> Api:
    return Api(server[0], server[1], f"e2e{uuid.uuid4().hex[:8]}")


def je(key: str, amount: Any, memo: str = "office rent", day: str = "2026-10-05") -> dict[str, Any]:
    return {"date": day, "memo": memo, "idempotency_key": key, "lines": [
        {"account_code": "6100", "debit": amount, "currency": "USD", "dimensions": {"department": "OPS"}},
        {"account_code": "1010", "credit": amount, "currency": "USD"}]}


def setup_books(api: Api) -> None:
    with api.as_("root", "admin,employee") as root, api.as_("alice", "accountant,employee") as alice:
        for body in ({"code": "1000", "name": "Assets", "type": "asset", "postable": False},
                     {"code": "1010", "name": "Cash - Operating", "type": "asset", "parent_code": "1000"},
                     {"code": "6000", "name": "Operating expenses", "type": "expense", "postable": False},
                     {"code": "6100", "name": "Rent Expense", "type": "expense", "parent_code": "6000",
                      "currency": "USD"}):
            assert root.post("/v1/gl/accounts", json=body).status_code == 201
        assert alice.post("/v1/gl/periods", json={"year": 2026, "month": 10}).status_code == 201


def test_accounts_and_periods(api: Api) -> None:
    setup_books(api)
    with api.as_("root", "admin") as root, api.as_("alice", "accountant") as alice:
        duplicate = root.post("/v1/gl/accounts", json={"code": "1010", "name": "again", "type": "asset"})
        assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "conflict"
        assert alice.post("/v1/gl/accounts", json={"code": "9", "name": "x", "type": "asset"}).status_code == 403
        accounts = alice.get("/v1/gl/accounts").json()
        assert [(a["code"], a["parent_code"], a["postable"]) for a in accounts] == [
            ("1000", None, False), ("1010", "1000", True), ("6000", None, False), ("6100", "6000", True)]
        again = alice.post("/v1/gl/periods", json={"year": 2026, "month": 10})
        assert again.status_code == 200 and again.json()["status"] == "open"
        bad = alice.post("/v1/gl/accounts", json={"code": "7", "name": "x", "type": "nonsense"})
        assert bad.status_code in (403, 422)


def test_small_posts_large_waits_approve_and_report(api: Api) -> None:
    setup_books(api)
    alice, carol, frank = api.as_("alice", "accountant"), api.as_("carol", "controller"), api.as_("frank", "cfo")
    small = alice.post("/v1/gl/journal-entries", json=je("rent-sep", "4200.00"))
    assert small.status_code == 201, small.text
    body = small.json()
    assert body["status"] == "posted" and body["approval_id"] is None and len(body["payload_hash"]) == 64
    replay = alice.post("/v1/gl/journal-entries", json=je("rent-sep", "4200.00"))
    assert replay.status_code == 200 and replay.json()["id"] == body["id"]
    conflict = alice.post("/v1/gl/journal-entries", json=je("rent-sep", "4200.01"))
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "idempotency_conflict"

    large = alice.post("/v1/gl/journal-entries", json=je("equipment", "25000.00")).json()
    assert large["status"] == "pending_approval" and large["approval_id"]
    pending = carol.get("/v1/approvals", params={"status": "pending"}).json()
    assert [(p["id"], p["payload_hash"]) for p in pending] == [(large["approval_id"], large["payload_hash"])]
    assert alice.get("/v1/approvals", params={"status": "pending"}).json() == []
    assert frank.get("/v1/approvals").json() == []  # below 100,000 no CFO is asked

    sod = alice.post(f"/v1/approvals/{large['approval_id']}/approve", json={"payload_hash": large["payload_hash"]})
    assert sod.status_code == 403
    stale = carol.post(f"/v1/approvals/{large['approval_id']}/approve", json={"payload_hash": "a" * 64})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_payload_hash"
    approved = carol.post(f"/v1/approvals/{large['approval_id']}/approve",
                          json={"payload_hash": large["payload_hash"]})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert alice.get(f"/v1/gl/journal-entries/{large['id']}").json()["status"] == "posted"
    twice = carol.post(f"/v1/approvals/{large['approval_id']}/approve", json={"payload_hash": large["payload_hash"]})
    assert twice.status_code == 409

    tb = carol.get("/v1/gl/trial-balance", params={"as_of": "2026-10-31"}).json()
    assert {(r["account_code"], r["currency"], r["debit"], r["credit"], r["balance"]) for r in tb["rows"]} == {
        ("1010", "USD", "0.00", "29200.00", "-29200.00"), ("6100", "USD", "29200.00", "0.00", "29200.00")}
    assert tb["totals"]["debit"] == tb["totals"]["credit"] == "29200.00"
    balance = carol.get("/v1/gl/accounts/6000/balance", params={"as_of": "2026-10-31"}).json()
    assert balance == balance | {"account_code": "6000", "currency": "USD", "balance": "29200.00"}
    early = carol.get("/v1/gl/accounts/6100/balance", params={"as_of": "2026-10-04"}).json()
    assert early["balance"] == "0.00"


def test_reject_and_validation_errors(api: Api) -> None:
    setup_books(api)
    alice, carol = api.as_("alice", "accountant"), api.as_("carol", "controller")
    pending = alice.post("/v1/gl/journal-entries", json=je("big", "50000.00")).json()
    rejected = carol.post(f"/v1/approvals/{pending['approval_id']}/reject", json={"reason": "no contract"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert alice.get(f"/v1/gl/journal-entries/{pending['id']}").json()["status"] == "rejected"

    broken = je("bad", "10.00")
    broken["lines"][1]["credit"] = "9.999"
    broken["lines"].append({"account_code": "6000", "debit": "1.00", "currency": "USD"})
    response = alice.post("/v1/gl/journal-entries", json=broken)
    assert response.status_code == 422
    issues = {(i["code"], i["field"]) for i in response.json()["error"]["issues"]}
    assert {("invalid_amount", "lines[1].credit"), ("account_not_postable", "lines[2].account_code")} <= issues
    assert alice.post("/v1/gl/journal-entries", json=je("float", 10.5)).status_code == 422
    assert alice.post("/v1/gl/journal-entries", json={"memo": "x"}).status_code == 422
    employee = api.as_("eve", "employee")
    assert employee.post("/v1/gl/journal-entries", json=je("eve", "1.00")).status_code == 403
    assert httpx.post(f"{api.base}/v1/gl/journal-entries", json=je("anon", "1.00")).status_code == 401


def test_closed_period_and_tenant_isolation(api: Api, server: tuple[str, DevIssuer]) -> None:
    setup_books(api)
    alice, carol = api.as_("alice", "accountant"), api.as_("carol", "controller")
    mine = alice.post("/v1/gl/journal-entries", json=je("mine", "60000.00")).json()
    assert alice.post("/v1/gl/periods/2026/10/close").status_code == 403
    busy = carol.post("/v1/gl/periods/2026/10/close")  # an entry of October still awaits approval
    assert busy.status_code == 422 and busy.json()["error"]["issues"][0]["code"] == "entry_pending"
    carol.post(f"/v1/approvals/{mine['approval_id']}/reject", json={"reason": "wrong month"})
    closed = carol.post("/v1/gl/periods/2026/10/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused = alice.post("/v1/gl/journal-entries", json=je("late", "5.00"))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "period_closed"

    other = Api(server[0], server[1], f"other{uuid.uuid4().hex[:6]}")
    intruder, intruder_ctl = other.as_("alice", "accountant"), other.as_("carol", "controller")
    assert intruder.get(f"/v1/gl/journal-entries/{mine['id']}").status_code == 404
    assert intruder_ctl.post(f"/v1/approvals/{mine['approval_id']}/approve",
                             json={"payload_hash": mine["payload_hash"]}).status_code == 404
    assert intruder.get("/v1/gl/accounts").json() == []


def test_openapi_documents_the_routes(api: Api) -> None:
    spec = httpx.get(f"{api.base}/openapi.json").json()
    for path in ("/v1/gl/accounts", "/v1/gl/periods", "/v1/gl/periods/{year}/{month}/close",
                 "/v1/gl/journal-entries", "/v1/gl/journal-entries/{entry_id}", "/v1/approvals",
                 "/v1/approvals/{approval_id}/approve", "/v1/approvals/{approval_id}/reject",
                 "/v1/gl/trial-balance", "/v1/gl/accounts/{code}/balance"):
        assert path in spec["paths"], path
