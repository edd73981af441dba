"""Alembic environment: online migrations against the URL handed over by ``erp_core.migrations.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from erp_core.db import Base
from erp_core.migrations import load_models

load_models()
config = context.config
url: str = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url") or ""
if not url:
    raise RuntimeError("no database URL: call erp_core.migrations.upgrade(url)")


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
