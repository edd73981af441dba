"""Database plumbing shared by every erp_core service: declarative base, engine factory, unit of work.

One code path for SQLite (embedded default) and PostgreSQL (CI and production).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import Engine, MetaData, Table, create_engine, event, insert
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout so several threads/processes can share it."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide where transactions begin (needed for BEGIN IMMEDIATE below).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Take the write lock up front: two writers never both read-then-upgrade and deadlock.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def sqlite_text(value: date | datetime) -> str:
    """The text SQLAlchemy's SQLite DATE and DATETIME types write and parse back (UTC moments are stored naive)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def stored_temporal(session: Session, value: date | datetime) -> Any:
    """``value`` in the form ``insert_tuples`` hands it to the database.

    SQLite: SQLAlchemy's own text for the type. PostgreSQL: ISO 8601 text, which COPY parses into the same date or
    timestamptz (an aware moment keeps its offset) and which costs nothing per row once a batch has converted each
    distinct value. Elsewhere: the value itself.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite_text(value)
    if dialect == "postgresql":
        return value.isoformat()
    return value


def insert_tuples(session: Session, model: type[Base], columns: Sequence[str],
                  rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows given as value tuples in ``columns`` order, in the session's transaction, in one round trip.

    The bulk writers' path: no per-row dict and no per-row SQLAlchemy parameter processing. PostgreSQL gets
    ``COPY … FROM STDIN`` (psycopg's executemany sends a statement per row, and multi-row VALUES statements are
    expensive to compile); SQLite the driver's ``executemany``, already a tight in-process loop. Dates and moments as
    ``stored_temporal`` gives them. Column names come from the caller's code, never from input.
    """
    if not rows:
        return
    table = cast(Table, model.__table__)
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    names = ", ".join(f'"{table.c[name].name}"' for name in columns)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if dialect == "postgresql":
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)
    finally:
        cursor.close()


class Database:
    """An engine plus its session factory; built once in the composition root and injected."""

    def __init__(self, url: str, *, read_url: str | None = None, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reports and read-only tools may use a replica; writes always go to the primary.
        self.read_engine = make_engine(read_url) if read_url else self.engine
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def create_all(self) -> None:
        """Create tables straight from the models (tests); deployments run Alembic migrations instead."""
        Base.metadata.create_all(self.engine)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction per command: commit on success, roll back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (replica when configured)."""
        session = self.read_sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
