"""Budgets from the generator's plan: the expected amounts per department × account × month, with the optimism or
caution a real budget carries (a few percent either way), for every month of the history and the rest of the year."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert
from sqlalchemy.orm import Session

from erp_core.epm.models import Budget
from erp_core.seed.ledger_data import LedgerPlan

INCOME_PREFIXES = ("4",)


def seed_budgets(session: Session, tenant: str, currency: str, plan: LedgerPlan, extra: LedgerPlan,
                 rng: random.Random) -> int:
    rows = []
    bias: dict[tuple[str, str], float] = {}
    for (month, dept, account), minor in sorted({**plan.expected, **extra.expected}.items()):
        factor = bias.setdefault((dept, account), rng.uniform(0.97, 1.08) if account.startswith(INCOME_PREFIXES)
                                 else rng.uniform(0.94, 1.04))
        rows.append({"tenant": tenant, "year": month.year, "month": month.month, "department_code": dept,
                     "account_code": account, "amount_minor": round(minor * factor * rng.uniform(0.98, 1.02)),
                     "currency": currency})
    if rows:
        session.execute(insert(Budget), rows)
    return len(rows)


def future_months(as_of: dt.date) -> list[dt.date]:
    """Months after ``as_of`` up to the end of its year (budgets cover the whole current year)."""
    months: list[dt.date] = []
    year, month = as_of.year, as_of.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if year > as_of.year:
            return months
        months.append(dt.date(year, month, 1))
