"""An AgentTurns over the seeded demo company, the real tool registry and router, and a scripted chat model."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel

from agent.checkpoints import open_checkpointer
from agent.config import AgentSettings
from agent.events import Event
from agent.routing import ToolRouter, out_of_scope_capabilities
from agent.service import AgentTurns
from erp_core.db import Database
from erp_core.identity import Actor
from tools.catalog import load_all
from tools.registry import ToolRegistry, direct_utterances

TODAY = dt.date(2026, 11, 16)
ALICE = Actor.of("alice@acme", "acme", "accountant,employee")
CAROL = Actor.of("carol@acme", "acme", "controller,employee")
EVE = Actor.of("eve@acme", "acme", "employee")


@pytest.fixture(scope="session")
def router(embedder: Any) -> ToolRouter:
    return ToolRouter(embedder, load_all().all(), direct_utterances(), out_of_scope_capabilities())


_LOOP = asyncio.new_event_loop()  # one loop for the whole module, like a server process


def collect(stream: Any) -> list[Event]:
    async def go() -> list[Event]:
        return [event async for event in stream]

    return _LOOP.run_until_complete(go())


@pytest.fixture()
def make_agent(demo_db: Database, router: ToolRouter, tmp_path: Path) -> Iterator[Callable[..., AgentTurns]]:
    made: list[AgentTurns] = []

    def make(model: BaseChatModel, *, registry: ToolRegistry | None = None, checkpoints: Path | None = None,
             **settings: Any) -> AgentTurns:
        path = checkpoints or tmp_path / "checkpoints.db"
        reg = registry or load_all()
        agent = AgentTurns(model=lambda: model, db=demo_db, registry=reg,
                           router=lambda: router if registry is None else ToolRouter(router._embedder, reg.all()),
                           checkpointer=lambda: open_checkpointer(None, path),
                           settings=AgentSettings(today=TODAY, **settings))
        made.append(agent)
        return agent

    yield make
    for agent in made:
        _LOOP.run_until_complete(agent.aclose())
