"""A seeded demo company (size small, seed 42) per database engine, built once per test session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from erp_core import migrations
from erp_core.db import Database
from erp_core.identity import Actor
from erp_core.seed.runner import DEFAULT_AS_OF, seed_demo

AS_OF: dt.date = DEFAULT_AS_OF


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("seeded") / "demo.db"
    url = f"sqlite:///{path}"
    migrations.upgrade(url)
    db = Database(url)
    seed_demo(db, size="small", seed=42, as_of=AS_OF)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def seeded_postgres(pg_database_factory: object) -> Iterator[Database]:
    url = pg_database_factory("nexus_domains")  # type: ignore[operator]
    migrations.upgrade(url)
    db = Database(url)
    seed_demo(db, size="small", seed=42, as_of=AS_OF)
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest) -> Database:
    """The seeded company on each engine (read-mostly tests run on both)."""
    return request.getfixturevalue("seeded_sqlite" if request.param == "sqlite" else "seeded_postgres")  # type: ignore[no-any-return]


def actor(user: str, roles: str, tenant: str = "acme") -> Actor:
    return Actor.of(f"{user}@{tenant}", tenant, f"{roles},employee")
