"""Access tokens from a Keycloak-compatible provider: accepted when valid; expired, tampered, wrong-audience and
wrong-issuer tokens → 401; a missing role → 403; another tenant's ids → 404 with no data."""

from __future__ import annotations

import base64
import json
import time

import pytest

pytestmark = pytest.mark.postgres


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_password_grant_token_is_accepted_with_realm_roles_and_tenant(oidc_app, password_token) -> None:
    client, container = oidc_app()
    token = password_token("alice@acme")
    actor = container.authenticator.authenticate(f"Bearer {token}")
    assert (actor.user_id, actor.tenant) == ("alice@acme", "acme")
    assert actor.roles == {"accountant", "employee"}
    assert client.get("/v1/models", headers=bearer(token)).status_code == 200


def test_client_credentials_token_is_accepted_as_the_service_account(oidc_app, keycloak) -> None:
    client, container = oidc_app()
    token = keycloak("nexus").token(grant_type="client_credentials")["access_token"]
    actor = container.authenticator.authenticate(f"Bearer {token}")
    assert actor.user_id == "service-account-nexus" and actor.tenant == "acme" and "accountant" in actor.roles
    assert client.get("/v1/models", headers=bearer(token)).status_code == 200


def test_client_roles_from_resource_access_count(oidc_app, password_token) -> None:
    client, container = oidc_app()
    token = password_token("carol@acme")  # controller only as a client role of "nexus"
    assert "controller" in container.authenticator.authenticate(f"Bearer {token}").roles
    assert client.get("/v1/models", headers=bearer(token)).status_code == 200


def test_expired_token_is_401(oidc_app, password_token) -> None:
    client, _ = oidc_app()
    token = password_token("alice@acme", client_id="nexus-short")  # lives 1 s
    time.sleep(2.1)
    resp = client.get("/v1/models", headers=bearer(token))
    assert resp.status_code == 401 and resp.json()["error"]["message"] == "token expired"
    assert resp.headers["WWW-Authenticate"] == "Bearer"


def test_tampered_token_is_401(oidc_app, password_token) -> None:
    client, _ = oidc_app()
    header, payload, signature = password_token("alice@acme").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["tenant"] = "globex"
    claims["realm_access"]["roles"].append("admin")
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    resp = client.get("/v1/models", headers=bearer(f"{header}.{forged}.{signature}"))
    assert resp.status_code == 401 and "signature" in resp.json()["error"]["message"]


def test_wrong_audience_is_401(oidc_app, password_token) -> None:
    client, _ = oidc_app()
    token = password_token("alice@acme", client_id="reports-app")  # aud = reports
    resp = client.get("/v1/models", headers=bearer(token))
    assert resp.status_code == 401 and "audience" in resp.json()["error"]["message"]


def test_wrong_issuer_is_401(oidc_app, password_token) -> None:
    client, _ = oidc_app()
    token = password_token("alice@acme", realm="other")  # same user name, another realm's issuer and key
    resp = client.get("/v1/models", headers=bearer(token))
    assert resp.status_code == 401 and "issuer" in resp.json()["error"]["message"]


def test_missing_role_is_403(oidc_app, password_token) -> None:
    client, _ = oidc_app()
    token = password_token("guest@acme")  # authenticated, no roles
    for method, path in (("GET", "/v1/models"), ("GET", "/v1/events")):
        resp = client.request(method, path, headers=bearer(token))
        assert resp.status_code == 403 and resp.json()["error"]["code"] == "forbidden"


def test_another_tenants_ids_are_404_with_no_data(oidc_app, password_token, kit) -> None:
    client, container = oidc_app()
    kit.setup_company(container.db, "acme")
    kit.setup_company(container.db, "globex")
    alice, intruder = bearer(password_token("alice@acme")), bearer(password_token("alice@globex"))
    body = kit.entry_command("25000.00", "Secret acme accrual").model_dump(mode="json")
    created = client.post("/v1/gl/journal-entries", json=body, headers=alice)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert client.get(f"/v1/gl/journal-entries/{entry['id']}", headers=alice).status_code == 200
    for method, path, payload in (
            ("GET", f"/v1/gl/journal-entries/{entry['id']}", None),
            ("GET", f"/v1/approvals/{entry['approval_id']}", None),
            ("POST", f"/v1/approvals/{entry['approval_id']}/approve", {"payload_hash": entry["payload_hash"]})):
        resp = client.request(method, path, json=payload, headers=intruder)
        assert resp.status_code == 404, (path, resp.text)
        assert set(resp.json()) == {"error"} and "Secret" not in resp.text and "25000" not in resp.text
