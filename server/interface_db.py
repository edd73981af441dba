"""Tables the interface layer owns (notification jobs, feedback), kept apart from erp_core's metadata.

They live in the same SQL database as the ERP (one backup, one connection pool) but under their own ``MetaData``, so
erp_core's Alembic history never sees them; ``ensure_tables`` creates them idempotently at start-up.
"""

from __future__ import annotations

import threading

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from erp_core.db import NAMING, Database

_created: set[str] = set()
_lock = threading.Lock()


class InterfaceBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def ensure_tables(db: Database) -> None:
    """Create the interface tables on ``db`` when missing (once per database URL per process)."""
    # Import the models so their tables are registered on the metadata.
    import server.feedback
    import server.notifications.store  # noqa: F401

    with _lock:
        if db.url in _created:
            return
        InterfaceBase.metadata.create_all(db.engine, checkfirst=True)
        _created.add(db.url)
