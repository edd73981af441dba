"""Fixtures shared by every test tier. Tier-specific fixtures live in each folder's own conftest.py."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

# Nothing in the test suite may reach a model hub or phone home.
for _var, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "RAGAS_DO_NOT_TRACK": "true",
    "ANONYMIZED_TELEMETRY": "False",
}.items():
    os.environ.setdefault(_var, _value)

PG_ADMIN_DSN = os.environ.get("NEXUS_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin_url_for(dbname: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{dbname}".replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def pg_database_factory() -> Iterator[object]:
    """Creates throw-away PostgreSQL databases on the machine's server and drops them at the end of the session."""
    import psycopg

    created: list[str] = []

    def make(prefix: str = "nexus_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return _pg_admin_url_for(name)

    yield make

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def pg_url(pg_database_factory: object) -> str:
    """A fresh, empty PostgreSQL database URL (SQLAlchemy form) for one test."""
    return pg_database_factory()  # type: ignore[operator,no-any-return]
