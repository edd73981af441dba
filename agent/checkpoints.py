"""LangGraph checkpointers: SQLite file by default, PostgreSQL when the checkpoint URL says so.

Created inside the running event loop (the async savers bind to it) and set up (tables created) once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


async def open_checkpointer(url: str | None, default_path: Path) -> Any:
    if url and url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool

        conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
        pool = AsyncConnectionPool(conninfo, min_size=1, max_size=8, open=False,
                                   kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row})
        await pool.open()
        pg_saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
        await pg_saver.setup()
        return pg_saver
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    path = Path(url.removeprefix("sqlite:///")) if url else default_path
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path))
    await conn.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: a checkpoint is durable at the next WAL sync, not fsynced per graph step (several per turn).
    await conn.execute("PRAGMA synchronous=NORMAL")
    saver = AsyncSqliteSaver(conn)
    await saver.setup()
    return saver
