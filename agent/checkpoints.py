"""LangGraph checkpointers: SQLite file by default, PostgreSQL when the checkpoint URL says so.

Created inside the running event loop (the async savers bind to it) and set up (tables created) once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata, CheckpointTuple
from langgraph.checkpoint.sqlite import SqliteSaver


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
    path = Path(url.removeprefix("sqlite:///")) if url else default_path
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: a checkpoint is durable at the next WAL sync, not fsynced per write.
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = InlineSqliteSaver(conn)
    saver.setup()
    return saver


class InlineSqliteSaver(SqliteSaver):
    """LangGraph's SQLite saver with its async methods run inline on the event loop.

    The async saver (aiosqlite) sends every statement to its own thread and back: about 17 round trips a turn, each
    a wake-up of the event loop, for statements that take tens of microseconds on a local WAL file. A turn reads its
    thread's checkpoint and writes once at the end, so inline costs the loop less than the hops did. PostgreSQL, the
    store for servers with several workers or heavy load, keeps its native async saver.
    """

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self.get_tuple(config)

    async def alist(self, config: RunnableConfig | None, *, filter: dict[str, Any] | None = None,
                    before: RunnableConfig | None = None, limit: int | None = None) -> AsyncIterator[CheckpointTuple]:
        for item in self.list(config, filter=filter, before=before, limit=limit):
            yield item

    async def aput(self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
                   new_versions: ChannelVersions) -> RunnableConfig:
        return self.put(config, checkpoint, metadata, new_versions)

    async def aput_writes(self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str,
                          task_path: str = "") -> None:
        self.put_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        self.delete_thread(thread_id)
