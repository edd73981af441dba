"""Tables the interface layer owns (notification jobs, feedback), kept apart from erp_core's metadata.

They live in the same SQL database as the ERP (one backup, one connection pool) but under their own ``MetaData``
(``server.interface_base``), so erp_core's Alembic history never sees them; ``ensure_tables`` creates them
idempotently at start-up. The tables are listed here, not found by importing their modules for a side effect.
"""

from __future__ import annotations

import threading

from sqlalchemy import Table

from erp_core.db import Database
from server.feedback import Feedback
from server.interface_base import InterfaceBase
from server.notifications.store import NotificationJob, NotifiedApproval

TABLES: tuple[Table, ...] = tuple(model.__table__ for model in (Feedback, NotificationJob, NotifiedApproval))  # type: ignore[misc]

_created: set[str] = set()
_lock = threading.Lock()


def ensure_tables(db: Database) -> None:
    """Create the interface tables on ``db`` when missing (once per database URL per process)."""
    with _lock:
        if db.url in _created:
            return
        InterfaceBase.metadata.create_all(db.engine, tables=list(TABLES), checkfirst=True)
        _created.add(db.url)
