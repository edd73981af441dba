"""Fixtures for the interface-layer unit tests: the real app over a throw-away SQLite file, scripted turns."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from agent.backends.scripted import ScriptedChat
from server.app import create_app
from server.bootstrap import Container, build_container
from server.settings import Settings

MakeApp = Callable[..., tuple[TestClient, Container]]


@pytest.fixture()
def make_app(tmp_path: Path) -> Iterator[MakeApp]:
    """``make_app(turns=None, model=None, turns_of=None, client_tools=None, **settings)``: a TestClient over the real
    app (lifespan started). ``turns`` is a turn service, ``turns_of`` builds one from the model provider."""
    clients: list[TestClient] = []

    def make(turns: Any = None, model: Any = None, turns_of: Any = None, client_tools: Any = None,
             **overrides: Any) -> tuple[TestClient, Container]:
        overrides.setdefault("notifications_enabled", False)
        settings = Settings(data_dir=tmp_path / "data", _env_file=None, **overrides)  # type: ignore[call-arg]
        if turns is not None:
            turns_of = lambda _models: turns  # noqa: E731
        container = build_container(settings, chat_model=model or ScriptedChat(["Hello there."], cycle=True),
                                    turns=turns_of, client_tools=client_tools)
        client = TestClient(create_app(container, load_model=False))
        client.__enter__()
        clients.append(client)
        return client, container

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def auth(container: Container, user: str = "alice@acme", roles: tuple[str, ...] = ("accountant", "employee"),
         tenant: str | None = None) -> dict[str, str]:
    assert container.dev_issuer is not None
    token = container.dev_issuer.issue(user, tenant or user.rsplit("@", 1)[-1], roles)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def bearer() -> Callable[..., dict[str, str]]:
    return auth
