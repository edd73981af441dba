"""The declarative base of the tables the interface layer owns (notification jobs, feedback).

They live in the same SQL database as the ERP (one backup, one connection pool) but under their own ``MetaData``, so
erp_core's Alembic history never sees them. ``server.interface_db`` creates them.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from erp_core.db import NAMING


class InterfaceBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
