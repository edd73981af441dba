"""Rate limits in Redis (the production and CI store): two app instances share one user's window."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.backends.scripted import ScriptedChat
from server.app import create_app
from server.bootstrap import build_container
from server.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture()
def redis_available() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()


def test_two_instances_share_the_limit_through_redis(tmp_path: Path, redis_available: None) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", redis_url=REDIS_URL,  # type: ignore[call-arg]
                        rate_limit_user="3/minute", notifications_enabled=False)
    first, second = (build_container(settings, chat_model=ScriptedChat(["ok"], cycle=True)) for _ in range(2))
    assert first.dev_issuer is not None
    user = f"u{uuid.uuid4().hex[:10]}@acme"  # a fresh key: earlier runs' windows do not interfere
    headers = {"Authorization": f"Bearer {first.dev_issuer.issue(user, 'acme', ['accountant'])}"}
    with TestClient(create_app(first, load_model=False)) as a, TestClient(create_app(second, load_model=False)) as b:
        codes = [a.get("/v1/models", headers=headers).status_code, b.get("/v1/models", headers=headers).status_code,
                 a.get("/v1/models", headers=headers).status_code, b.get("/v1/models", headers=headers).status_code]
        assert codes == [200, 200, 200, 429]
        assert int(b.get("/v1/models", headers=headers).headers["Retry-After"]) >= 1
