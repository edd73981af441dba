"""Actuals straight from the posted GL lines (SQL aggregates over gl_journal_lines); nothing is copied.

Amounts are signed debit − credit in minor units of the tenant's functional currency; lines in other currencies are
left out (the demo ledgers book only in their functional currency; a multi-currency ledger would translate first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from erp_core.ledger.models import Account, JournalLine
from erp_core.tenancy import functional_currency


def _codes(session: Session, tenant: str) -> dict[int, str]:
    return dict(session.execute(select(Account.id, Account.code).where(Account.tenant == tenant)).tuples().all())


def account_activity(session: Session, tenant: str, start: dt.date, end: dt.date,
                     department: str | None = None) -> dict[str, int]:
    """Net debit − credit per account code for lines dated in [start, end]."""
    currency = functional_currency(session, tenant)
    net = func.sum(JournalLine.debit_minor - JournalLine.credit_minor)
    stmt = (select(JournalLine.account_id, net)
            .where(JournalLine.tenant == tenant, JournalLine.currency == currency,
                   JournalLine.entry_date >= start, JournalLine.entry_date <= end)
            .group_by(JournalLine.account_id))
    if department is not None:
        stmt = stmt.where(JournalLine.department == department)
    codes = _codes(session, tenant)
    return {codes[account_id]: int(total or 0) for account_id, total in session.execute(stmt)}


def account_balances(session: Session, tenant: str, as_of: dt.date, codes: Iterable[str]) -> dict[str, int]:
    """Cumulative debit − credit of the given accounts up to and including ``as_of``."""
    currency = functional_currency(session, tenant)
    by_code = {code: account_id for account_id, code in _codes(session, tenant).items()}
    ids = [by_code[c] for c in codes if c in by_code]
    stmt = (select(JournalLine.account_id, func.sum(JournalLine.debit_minor - JournalLine.credit_minor))
            .where(JournalLine.tenant == tenant, JournalLine.currency == currency,
                   JournalLine.account_id.in_(ids), JournalLine.entry_date <= as_of)
            .group_by(JournalLine.account_id))
    codes_of = {v: k for k, v in by_code.items()}
    result = dict.fromkeys(codes, 0)
    result.update({codes_of[account_id]: int(total or 0) for account_id, total in session.execute(stmt)})
    return result


def monthly_activity(session: Session, tenant: str, start: dt.date, end: dt.date,
                     department: str | None = None,
                     by_department: bool = False) -> dict[tuple[int, int, str | None, str], int]:
    """Net debit − credit keyed by (year, month, department or None, account code) for lines in [start, end]."""
    currency = functional_currency(session, tenant)
    year, month = extract("year", JournalLine.entry_date), extract("month", JournalLine.entry_date)
    net = func.sum(JournalLine.debit_minor - JournalLine.credit_minor)
    group = [year, month, JournalLine.account_id] + ([JournalLine.department] if by_department else [])
    stmt = (select(*group, net)
            .where(JournalLine.tenant == tenant, JournalLine.currency == currency,
                   JournalLine.entry_date >= start, JournalLine.entry_date <= end)
            .group_by(*group))
    if department is not None:
        stmt = stmt.where(JournalLine.department == department)
    codes = _codes(session, tenant)
    result: dict[tuple[int, int, str | None, str], int] = {}
    for row in session.execute(stmt).tuples():
        dept: str | None = str(row[3]) if by_department and row[3] is not None else department
        key = (int(row[0]), int(row[1]), dept, codes[int(row[2])])  # type: ignore[arg-type]
        result[key] = result.get(key, 0) + int(row[-1] or 0)
    return result
