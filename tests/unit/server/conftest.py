from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from langchain_core.language_models import BaseChatModel

from agent.direct import DirectTurns
from server.app import create_app
from server.bootstrap import Container, build_container
from server.settings import Settings


@pytest.fixture()
def make_client(tmp_path: Path) -> Iterator[Callable[..., tuple[TestClient, Container]]]:
    """A TestClient over the real app with an injected chat model (scripted in unit tests)."""
    clients: list[TestClient] = []

    def make(model: BaseChatModel | None, *, direct: bool = True, **overrides: object) -> tuple[TestClient, Container]:
        """``direct``: turns are plain model answers (the SSE contract tests); False: the full agent."""
        settings = Settings(data_dir=tmp_path / "data", _env_file=None, **overrides)  # type: ignore[call-arg]
        container = build_container(settings, chat_model=model,
                                    turns=(lambda models: DirectTurns(models.get)) if direct else None)
        client = TestClient(create_app(container, load_model=model is None))
        client.__enter__()
        clients.append(client)
        return client, container

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def bearer(container: Container, user: str = "alice@acme", tenant: str = "acme",
           roles: tuple[str, ...] = ("accountant", "employee")) -> dict[str, str]:
    assert container.dev_issuer is not None
    return {"Authorization": f"Bearer {container.dev_issuer.issue(user, tenant, roles)}"}
