"""The adversarial probes of issue 19 kept as a regression suite, through the HTTP API of the real app.

Amount and string fuzz through the GL API (typed 422s, never a 5xx, nothing stored), delegation rules, ownership of
threads, feedback and approvals across users and tenants, and token forgeries. (The OpenAPI-wide fuzz is
``test_schemathesis.py``; the no-phone-home probe is ``test_adversarial_offline.py``.)
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.backends.scripted import ScriptedChat
from erp_core.approvals import PolicyRule, replace_policies
from erp_core.directory import Department, DirectoryUser
from server.app import create_app
from server.auth import DevIssuer
from server.bootstrap import Container, build_container
from server.settings import Settings

TENANTS = ("acme", "globex")
EXTRA_PEOPLE = {"dave": "controller,employee", "zoe": "controller,employee", "ida": "auditor,employee"}
ROLES = {"alice": "accountant,employee", "carol": "controller,employee", "frank": "cfo,employee", "eve": "employee",
         **EXTRA_PEOPLE}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, kit: Any) -> Iterator[tuple[TestClient, Container]]:
    data = tmp_path_factory.mktemp("adversarial")
    config = Settings(_env_file=None, data_dir=data, rate_limit_enabled=False, notifications_enabled=False)
    model = ScriptedChat([{"tool": "answer"}, "Hello there."], cycle=True)
    container = build_container(config, chat_model=model)
    for tenant in TENANTS:
        kit.setup_company(container.db, tenant)
        with container.db.unit_of_work() as session:
            session.add_all([Department(tenant=tenant, code="OPS", name="Operations", active=True),
                             Department(tenant=tenant, code="ENG", name="Engineering", active=True)])
            session.add_all(DirectoryUser(tenant=tenant, user_id=f"{name}@{tenant}", display_name=name.capitalize(),
                                          roles=roles) for name, roles in EXTRA_PEOPLE.items())
    with TestClient(create_app(container, load_model=False)) as client:
        yield client, container
    container.close()


def headers(container: Container, name: str, tenant: str = "acme") -> dict[str, str]:
    assert container.dev_issuer is not None
    token = container.dev_issuer.issue(f"{name}@{tenant}", tenant, ROLES[name].split(","))
    return {"Authorization": f"Bearer {token}"}


def entry(amount: Any, *, memo: str = "Office rent", key: str | None = None, department: str | None = "OPS",
          credit_account: str = "1010") -> dict[str, Any]:
    debit: dict[str, Any] = {"account_code": "6100", "debit": amount, "currency": "USD"}
    if department is not None:
        debit["dimensions"] = {"department": department}
    return {"date": "2026-10-05", "memo": memo, "idempotency_key": key or uuid.uuid4().hex,
            "lines": [debit, {"account_code": credit_account, "credit": amount, "currency": "USD"}]}


def codes(response: Any) -> set[str]:
    return {issue["code"] for issue in response.json()["error"].get("issues", [])}


# --- amounts and strings through the GL API ------------------------------------------------------------------------

BAD_AMOUNTS = [
    ("100000000000000000000000000", "amount_too_large"), ("1e30", "invalid_amount"), ("9" * 400, "amount_too_large"),
    ("1e5", "invalid_amount"), ("１００", "invalid_amount"), (" 100", "invalid_amount"), ("100 ", "invalid_amount"),
    ("1_000", "invalid_amount"), ("NaN", "invalid_amount"), ("-Infinity", "invalid_amount"), ("0x64", "invalid_amount"),
    (100.5, "invalid_amount"), ("10000000000000000000000000", "amount_too_large"),
]


@pytest.mark.parametrize(("amount", "code"), BAD_AMOUNTS)
def test_bad_amounts_are_typed_422s_and_store_nothing(app: tuple[TestClient, Container], amount: Any,
                                                      code: str) -> None:
    client, container = app
    alice = headers(container, "alice")
    key = uuid.uuid4().hex
    response = client.post("/v1/gl/journal-entries", json=entry(amount, key=key), headers=alice)
    assert response.status_code == 422 and code in codes(response), response.text
    # Nothing was stored under the key: the same key with a good amount is a new entry, not a replay.
    assert client.post("/v1/gl/journal-entries", json=entry("5.00", key=key), headers=alice).status_code == 201


@pytest.mark.parametrize(("body", "code"), [
    (entry("5.00", memo="rent\x00"), "invalid_characters"),
    (entry("5.00", memo="rent\x1b[2J"), "invalid_characters"),
    (entry("5.00", department="QUANTUM"), "unknown_department"),
    (entry("5.00", department="OPS\x00"), "invalid_characters"),
    (entry("5.00", credit_account="6100", department=None), "self_cancelling_lines"),
])
def test_bad_strings_and_no_op_entries_are_refused(app: tuple[TestClient, Container], body: dict[str, Any],
                                                   code: str) -> None:
    client, container = app
    response = client.post("/v1/gl/journal-entries", json=body, headers=headers(container, "alice"))
    assert response.status_code == 422 and code in codes(response), response.text


@settings(max_examples=60, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(amount=st.one_of(st.text(max_size=40), st.integers(min_value=-10**40, max_value=10**40),
                        st.floats(allow_nan=True, allow_infinity=True), st.none(), st.booleans()),
       memo=st.text(max_size=60))
def test_fuzzed_amounts_and_memos_never_give_a_server_error(app: tuple[TestClient, Container], amount: Any,
                                                            memo: str) -> None:
    client, container = app
    response = client.post("/v1/gl/journal-entries", json=entry(amount, memo=memo, department=None),
                           headers=headers(container, "alice"))
    assert response.status_code < 500, response.text
    if response.status_code in (200, 201):  # what was stored is exactly a plain amount and a clean memo
        assert isinstance(amount, int) or (isinstance(amount, str) and amount.strip() == amount
                                           and all(c in "0123456789.-" for c in amount))
        assert all(ord(c) >= 32 or c in "\t\n" for c in memo)


def test_periods_far_from_today_cannot_be_opened(app: tuple[TestClient, Container]) -> None:
    client, container = app
    alice = headers(container, "alice")
    for year in (1900, 2999, dt.date.today().year - 11, dt.date.today().year + 2):
        response = client.post("/v1/gl/periods", json={"year": year, "month": 1}, headers=alice)
        assert response.status_code == 422 and "period_out_of_range" in codes(response)


# --- delegation ------------------------------------------------------------------------------------------------------

def delegation(delegate: str, role: str | None = "controller") -> dict[str, Any]:
    today = dt.date.today().isoformat()
    return {"delegate_id": delegate, "role": role, "valid_from": today, "valid_to": today}


def test_delegation_rules_through_the_api(app: tuple[TestClient, Container]) -> None:
    client, container = app
    carol, dave = headers(container, "carol", "globex"), headers(container, "dave", "globex")
    for delegate, code in (("eve@globex", "delegate_lacks_role"), ("ghost@globex", "unknown_user"),
                           ("dave@acme", "unknown_user")):
        response = client.post("/v1/approvals/delegations", json=delegation(delegate), headers=carol)
        assert response.status_code == 422 and codes(response) == {code}
    with container.db.unit_of_work() as session:  # the anomalous-entry rule: two controllers
        replace_policies(session, "globex", [PolicyRule(name="two", document_type="journal_entry",
                                                        required_role="controller", approver_count=2)])
    made = client.post("/v1/approvals/delegations", json=delegation("dave@globex"), headers=carol)
    assert made.status_code == 201 and made.json()["active"] is True
    posted = client.post("/v1/gl/journal-entries", json=entry("20000.00"), headers=headers(container, "alice",
                                                                                            "globex")).json()
    approval_id, digest = posted["approval_id"], posted["payload_hash"]
    assert client.post(f"/v1/approvals/{approval_id}/approve", json={"payload_hash": digest},
                       headers=carol).json()["status"] == "pending"
    second = client.post(f"/v1/approvals/{approval_id}/approve", json={"payload_hash": digest}, headers=dave)
    assert second.status_code == 409  # carol's delegate is carol for this document
    listed = client.get("/v1/approvals/delegations", headers=dave).json()
    assert [d["id"] for d in listed] == [made.json()["id"]]
    assert client.delete(f"/v1/approvals/delegations/{made.json()['id']}", headers=dave).status_code == 404
    revoked = client.delete(f"/v1/approvals/delegations/{made.json()['id']}", headers=carol)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    done = client.post(f"/v1/approvals/{approval_id}/approve", json={"payload_hash": digest},
                       headers=headers(container, "zoe", "globex"))
    assert done.json()["status"] == "approved"
    decisions = client.get(f"/v1/approvals/{approval_id}", headers=carol).json()["decisions"]
    assert [d["approver_id"] for d in decisions] == ["carol@globex", "zoe@globex"]


# --- ownership --------------------------------------------------------------------------------------------------------

def test_approvals_are_read_only_by_preparer_approvers_and_auditors(app: tuple[TestClient, Container]) -> None:
    client, container = app
    posted = client.post("/v1/gl/journal-entries", json=entry("12000.00"), headers=headers(container, "alice"))
    approval_id = posted.json()["approval_id"]
    for name in ("alice", "carol", "dave", "ida"):
        assert client.get(f"/v1/approvals/{approval_id}", headers=headers(container, name)).status_code == 200
    for who in (headers(container, "eve"), headers(container, "frank"), headers(container, "carol", "globex")):
        response = client.get(f"/v1/approvals/{approval_id}", headers=who)
        assert response.status_code == 404 and "12000" not in response.text
        assert client.post(f"/v1/approvals/{approval_id}/reject", json={"reason": "no"},
                           headers=who).status_code in (403, 404)


def _chat(client: TestClient, who: dict[str, str], thread: str) -> list[tuple[str, dict[str, Any]]]:
    response = client.post("/v1/chat", json={"message": "hi there", "thread_id": thread}, headers=who)
    assert response.status_code == 200
    events = []
    for block in response.text.replace("\r\n", "\n").split("\n\n"):
        lines = block.strip().splitlines()
        if lines and lines[0].startswith("event: "):
            data = "\n".join(line[6:] for line in lines[1:] if line.startswith("data: "))
            events.append((lines[0][7:], json.loads(data) if data else {}))
    return events


def test_threads_and_their_feedback_belong_to_their_owner(app: tuple[TestClient, Container]) -> None:
    client, container = app
    alice, thread = headers(container, "alice"), f"th-{uuid.uuid4().hex[:8]}"
    assert _chat(client, alice, thread)[-1][0] == "done"
    colleague, foreigner = headers(container, "carol"), headers(container, "alice", "globex")
    for who in (colleague, foreigner):
        assert client.post("/v1/feedback", json={"thread_id": thread, "rating": "down"}, headers=who).status_code \
            == 404
        assert client.get(f"/v1/feedback/{thread}", headers=who).status_code == 404
    events = _chat(client, colleague, thread)  # a colleague continuing alice's thread
    assert ("error", "not_found") in {(name, data.get("code")) for name, data in events}
    assert not any(name == "token" for name, _ in events)
    # Thread ids are scoped by tenant: the same id elsewhere is a new conversation of its own, never alice's.
    assert _chat(client, foreigner, thread)[-1][0] == "done"
    assert client.get(f"/v1/feedback/{thread}", headers=foreigner).json() == []
    never = client.post("/v1/feedback", json={"thread_id": "never-started", "rating": "up"}, headers=alice)
    assert never.status_code == 404
    assert client.post("/v1/feedback", json={"thread_id": thread, "rating": "up"}, headers=alice).status_code == 201
    assert [f["user_id"] for f in client.get(f"/v1/feedback/{thread}", headers=alice).json()] == ["alice@acme"]


# --- token forgeries -------------------------------------------------------------------------------------------------

def _b64(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _hs256(claims: dict[str, Any], secret: bytes) -> str:
    """Signed by hand: PyJWT itself refuses to use a PEM key as an HMAC secret, which is the point of the probe."""
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{_b64(claims)}"
    return f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def forgeries(container: Container, tmp: Path) -> dict[str, str]:
    issuer = container.dev_issuer
    assert issuer is not None
    now = int(time.time())
    claims = {"iss": issuer.issuer, "aud": issuer.audience, "sub": "frank@acme", "preferred_username": "frank@acme",
              "tenant": "acme", "realm_access": {"roles": ["cfo", "admin"]}, "iat": now, "nbf": now, "exp": now + 600}
    genuine = issuer.issue("eve@acme", "acme", ["employee"])
    head, _body, signature = genuine.split(".")
    stranger = DevIssuer(tmp / "stranger.pem", issuer=issuer.issuer, audience=issuer.audience)
    # The verifier's own public key, the classic RS256 → HS256 confusion secret.
    public_pem = issuer._public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "HS256 with the public key": _hs256(claims, public_pem),
        "foreign key": stranger.issue("frank@acme", "acme", ["cfo", "admin"]),
        "expired": issuer.issue("frank@acme", "acme", ["cfo"], ttl_s=60, now=now - 3600),
        "wrong audience": issuer.issue("frank@acme", "acme", ["cfo"], audience="someone-else"),
        "claims swapped under a genuine signature": f"{head}.{_b64(claims)}.{signature}",
        "truncated": genuine[:-10],
        "garbage": "not.a.token",
    }


def test_forged_tokens_are_401(app: tuple[TestClient, Container], tmp_path: Path) -> None:
    client, container = app
    for label, token in forgeries(container, tmp_path).items():
        for method, path in (("GET", "/v1/approvals"), ("POST", "/v1/gl/journal-entries")):
            response = client.request(method, path, headers={"Authorization": f"Bearer {token}"},
                                      json=entry("5.00") if method == "POST" else None)
            assert response.status_code == 401, (label, path, response.text)
