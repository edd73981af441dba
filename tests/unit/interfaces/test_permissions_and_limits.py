"""Role → permission map (403) and per-user / per-tenant rate limits (429 + Retry-After)."""

from __future__ import annotations

from erp_core.identity import Actor
from server.permissions import PermissionMap

CHAT = {"messages": [{"role": "user", "content": "hi"}]}


def test_permission_map_grants_by_role_and_wildcard() -> None:
    perms = PermissionMap({"employee": ["chat"], "accountant": ["chat", "api"], "admin": ["*"]})
    assert perms.allows(Actor.of("a@t", "t", "accountant"), "api")
    assert not perms.allows(Actor.of("e@t", "t", "employee"), "api")
    assert perms.allows(Actor.of("r@t", "t", "admin"), "anything")
    assert not perms.allows(Actor.of("g@t", "t", ""), "chat")


def test_missing_role_is_403_with_the_permission_named(make_app, bearer) -> None:
    client, container = make_app()
    resp = client.post("/v1/chat/completions", json=CHAT, headers=bearer(container, "eve@acme", ("employee",)))
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "forbidden" and "'api'" in resp.json()["error"]["message"]
    ok = client.post("/v1/chat/completions", json=CHAT, headers=bearer(container))
    assert ok.status_code == 200


def test_role_map_comes_from_settings(make_app, bearer) -> None:
    client, container = make_app(role_permissions={"employee": ["api"]})
    resp = client.post("/v1/chat/completions", json=CHAT, headers=bearer(container, "eve@acme", ("employee",)))
    assert resp.status_code == 200


def test_user_limit_gives_429_with_retry_after(make_app, bearer) -> None:
    client, container = make_app(rate_limit_user="3/minute", rate_limit_tenant="100/minute")
    alice, carol = bearer(container), bearer(container, "carol@acme", ("controller",))
    codes = [client.get("/v1/models", headers=alice).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/v1/models", headers=alice)
    assert refused.json()["error"]["code"] == "rate_limited" and refused.json()["error"]["retryable"] is True
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/v1/models", headers=carol).status_code == 200  # another user has their own window


def test_tenant_limit_spans_users(make_app, bearer) -> None:
    client, container = make_app(rate_limit_user="100/minute", rate_limit_tenant="2/minute")
    users = [bearer(container, f"{name}@acme", ("accountant",)) for name in ("a", "b", "c")]
    assert [client.get("/v1/models", headers=h).status_code for h in users] == [200, 200, 429]
    other_tenant = bearer(container, "a@globex", ("accountant",))
    assert client.get("/v1/models", headers=other_tenant).status_code == 200


def test_bad_tokens_are_not_counted_and_still_get_401(make_app) -> None:
    client, _ = make_app(rate_limit_user="1/minute")
    for _ in range(3):
        assert client.get("/v1/models", headers={"Authorization": "Bearer nope"}).status_code == 401
