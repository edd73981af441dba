"""Tenants: the isolation boundary of every ERP record, and where a tenant's functional currency lives."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Date, DateTime, String, Table, event, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from erp_core.db import Base
from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from erp_core.money import minor_units

DEFAULT_FUNCTIONAL_CURRENCY = "USD"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def new_id() -> str:
    """Opaque public id in the UUIDv7 layout (RFC 9562): a millisecond timestamp, then 74 random bits.

    The random part means an id reveals nothing about other tenants' volumes; the time prefix makes new rows land at
    the right edge of the primary-key and foreign-key indexes instead of at random pages, which is what keeps bulk
    posting fast as the ledger grows.
    """
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis << 80) | (0x7 << 76) | (((rand >> 62) & 0xFFF) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return f"{value:032x}"


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    functional_currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def ensure_tenant(session: Session, tenant_id: str, *, name: str | None = None,
                  functional_currency: str = DEFAULT_FUNCTIONAL_CURRENCY) -> Tenant:
    """Return the tenant row, creating it on first use (seed, tests). An existing row is never changed."""
    minor_units(functional_currency)  # refuse unknown currencies up front
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        tenant = Tenant(id=tenant_id, name=name or tenant_id, functional_currency=functional_currency)
        session.add(tenant)
        session.flush()
    return tenant


def functional_currency(session: Session, tenant_id: str) -> str:
    """The tenant's functional currency; tenants without a row (fresh installs, tests) use USD."""
    cache = tx_cache(session)
    key = f"functional_currency:{tenant_id}"
    if key not in cache:
        currency = session.scalar(select(Tenant.functional_currency).where(Tenant.id == tenant_id))
        cache[key] = currency or DEFAULT_FUNCTIONAL_CURRENCY
    return str(cache[key])


def require_role(actor: Actor, roles: frozenset[str] | set[str], action: str) -> None:
    """Raise FORBIDDEN (403) unless ``actor`` holds one of ``roles``."""
    if not actor.has_role(*roles):
        wanted = ", ".join(sorted(roles))
        raise NexusError(ErrorCode.FORBIDDEN, f"{action} needs one of the roles: {wanted}")


def insert_rows(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the session's transaction, in as few round trips as the database allows.

    PostgreSQL gets ``COPY … FROM STDIN`` (psycopg's executemany sends a statement per row, and multi-row VALUES
    statements are expensive to compile); SQLite's executemany is already a tight in-process loop.
    """
    if not rows:
        return
    table = cast(Table, model.__table__)
    columns = list(rows[0])
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_executemany(session, table, columns, rows)
        return
    if dialect != "postgresql":
        session.execute(insert(table), rows)
        return
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def _sqlite_value(value: Any) -> Any:
    # The exact text SQLAlchemy's SQLite DATE/DATETIME types write and parse back (UTC moments stored naive).
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sqlite_executemany(session: Session, table: Table, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """The driver's executemany with plain tuples: SQLAlchemy's per-row parameter processing costs more than the
    insert itself at import volumes."""
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    temporal = [i for i, name in enumerate(columns) if isinstance(rows[0][name], date)
                or isinstance(table.c[name].type, Date | DateTime)]
    pick = itemgetter(*columns)
    params: list[Any] = [pick(row) for row in rows] if len(columns) > 1 else [(pick(row),) for row in rows]
    if temporal:
        converted: dict[Any, Any] = {}  # a batch repeats few dates and moments: convert each once
        for n, values in enumerate(params):
            values = params[n] = list(values)
            for i in temporal:
                value = values[i]
                if value not in converted:
                    converted[value] = _sqlite_value(value)
                values[i] = converted[value]
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', params)
    finally:
        cursor.close()


def tx_cache(session: Session) -> dict[str, Any]:
    """A dict that lives as long as the session's current transaction (facts read under this transaction's locks)."""
    cache: dict[str, Any] = session.info.setdefault("nexus_tx_cache", {})
    return cache


@event.listens_for(Session, "after_transaction_end")
def _forget_tx_cache(session: Session, transaction: Any) -> None:
    # Flushes and savepoints end inner transactions; only the outermost one ends what the cache describes.
    if transaction.parent is None:
        session.info.pop("nexus_tx_cache", None)
