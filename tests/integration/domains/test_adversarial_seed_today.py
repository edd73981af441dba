"""A fresh demo install has today's period open, whatever day it is installed on (issue 19)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from erp_core.db import Database
from erp_core.ledger.models import FiscalPeriod


def test_todays_period_is_open_after_seeding(seeded_sqlite: Database) -> None:
    today = dt.date.today()
    with seeded_sqlite.read() as session:
        for tenant in ("acme", "globex"):
            status = session.scalar(select(FiscalPeriod.status).where(
                FiscalPeriod.tenant == tenant, FiscalPeriod.year == today.year, FiscalPeriod.month == today.month))
            assert status == "open"
