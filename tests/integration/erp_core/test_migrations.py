"""``alembic upgrade head`` builds exactly the models' schema on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from erp_core.db import Base
from erp_core.migrations import current_revision, load_models, upgrade


def schema_diff(url: str) -> list[object]:
    load_models()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_upgrade_head_matches_models(backend: str, tmp_path: Path, pg_database_factory: Callable[[str], str]) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}" if backend == "sqlite" else pg_database_factory("nexus_mig")
    upgrade(url)
    upgrade(url)  # idempotent
    assert current_revision(url) is not None
    diff = schema_diff(url)
    print("DIFF", [(d[0], getattr(d[1], "name", None)) if isinstance(d, tuple) else d for d in diff])
    assert diff == []
