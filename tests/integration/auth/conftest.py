"""A Keycloak-compatible OpenID provider (tests/support/oidc, Node.js oidc-provider) on 127.0.0.1 for the session."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.bootstrap import Container, build_container
from server.settings import Settings

OIDC_DIR = Path(__file__).resolve().parents[2] / "support" / "oidc"
REALM = json.loads((OIDC_DIR / "realm.json").read_text())




@pytest.fixture(scope="session")
def oidc_url(spawn_server: Callable[..., Any], kit: ModuleType) -> str:
    """Base URL of the provider (Keycloak layout: <base>/realms/<realm>/...). `make test` ran `npm ci` already."""
    node = shutil.which("node")
    assert node, "Node.js is required for the OIDC provider (apt-get install nodejs)"
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True)
    port = kit.free_port()
    base = f"http://127.0.0.1:{port}"
    spawn_server([node, "server.js", "--port", str(port)], f"{base}/health", cwd=str(OIDC_DIR), timeout_s=30)
    return base + "/"


def client_secret(realm: str, client_id: str) -> str:
    return next(c["client_secret"] for c in REALM["realms"][realm]["clients"] if c["client_id"] == client_id)


def password_of(realm: str, username: str) -> str:
    return next(u["password"] for u in REALM["realms"][realm]["users"] if u["username"] == username)


@pytest.fixture()
def keycloak(oidc_url: str) -> Callable[..., Any]:
    """``keycloak(client_id="nexus", realm="nexus")``: a python-keycloak client of the test provider."""
    from keycloak import KeycloakOpenID

    def make(client_id: str = "nexus", realm: str = "nexus") -> KeycloakOpenID:
        return KeycloakOpenID(server_url=oidc_url, realm_name=realm, client_id=client_id,
                              client_secret_key=client_secret(realm, client_id))

    return make


@pytest.fixture()
def password_token(keycloak: Callable[..., Any]) -> Callable[..., str]:
    def token(username: str, client_id: str = "nexus", realm: str = "nexus") -> str:
        return str(keycloak(client_id, realm).token(username, password_of(realm, username))["access_token"])

    return token


@pytest.fixture()
def oidc_app(oidc_url: str, pg_url: str, tmp_path: Path) -> Iterator[Callable[..., tuple[TestClient, Container]]]:
    """``oidc_app(**settings)``: the real app trusting only the test provider, over a fresh PostgreSQL database."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> tuple[TestClient, Container]:
        from agent.backends.scripted import ScriptedChat

        values: dict[str, Any] = {"data_dir": tmp_path / "data", "auth_mode": "oidc", "oidc_server_url": oidc_url,
                                  "oidc_realm": "nexus", "oidc_client_id": "nexus", "jwt_leeway_s": 0,
                                  "database_url": pg_url, "notifications_enabled": False} | overrides
        settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        container = build_container(settings, chat_model=ScriptedChat(["ok"], cycle=True))
        client = TestClient(create_app(container, load_model=False))
        client.__enter__()
        clients.append(client)
        return client, container

    yield make
    for client in clients:
        client.__exit__(None, None, None)
