"""Tenants: the isolation boundary of every ERP record, and where a tenant's functional currency lives."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Date, DateTime, Integer, String, Table, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from erp_core.db import Base, insert_tuples, sqlite_text
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
    # First month of the fiscal year (1 = January); reports and budgets read years from it.
    fiscal_year_start: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


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
    """Insert many rows (dicts keyed by column) in the session's transaction, in as few round trips as the database
    allows: ``insert_tuples`` with each row's values in its columns' order.

    On SQLite, dates and moments become the text SQLAlchemy's types write (``sqlite_text``), each distinct value
    converted once: a batch repeats few of them, and SQLAlchemy's own per-row parameter processing costs more than
    the insert itself at import volumes.
    """
    if not rows:
        return
    columns = list(rows[0])
    pick = itemgetter(*columns)
    values: list[Any] = [pick(row) for row in rows] if len(columns) > 1 else [(pick(row),) for row in rows]
    if session.get_bind().dialect.name == "sqlite":
        table = cast(Table, model.__table__)
        temporal = [i for i, name in enumerate(columns) if isinstance(rows[0][name], date)
                    or isinstance(table.c[name].type, Date | DateTime)]
        if temporal:
            converted: dict[Any, Any] = {}
            for n, row_values in enumerate(values):
                row_values = values[n] = list(row_values)
                for i in temporal:
                    value = row_values[i]
                    if value not in converted:
                        converted[value] = sqlite_text(value) if isinstance(value, date) else value
                    row_values[i] = converted[value]
    insert_tuples(session, model, columns, values)


def tx_cache(session: Session) -> dict[str, Any]:
    """A dict that lives as long as the session's current transaction (facts read under this transaction's locks)."""
    cache: dict[str, Any] = session.info.setdefault("nexus_tx_cache", {})
    return cache


@event.listens_for(Session, "after_transaction_end")
def _forget_tx_cache(session: Session, transaction: Any) -> None:
    # Flushes and savepoints end inner transactions; only the outermost one ends what the cache describes.
    if transaction.parent is None:
        session.info.pop("nexus_tx_cache", None)
