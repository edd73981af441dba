"""Build a ``LedgerContext`` from the database for the accounts and dates a batch of entries mentions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from erp_core.directory import Department
from erp_core.ledger.models import Account, AccountType, ExchangeRate, FiscalPeriod
from erp_core.ledger.validation import AccountInfo, LedgerContext
from erp_core.tenancy import functional_currency

_CHUNK = 500
T = TypeVar("T")


def account_info(account: Account) -> AccountInfo:
    return AccountInfo(account.id, account.code, AccountType(account.type), account.postable, account.active,
                       account.currency)


def _chunks(values: list[T]) -> Iterable[list[T]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def load_context(session: Session, tenant: str, codes: Iterable[str], dates: Iterable[dt.date]) -> LedgerContext:
    """Accounts of ``tenant`` with the given codes, the periods covering ``dates``, and the tenant's rates.

    Queries filter by tenant, so another tenant's account looks exactly like a missing one.
    """
    code_list = sorted(set(codes))
    accounts: dict[str, AccountInfo] = {}
    for chunk in _chunks(code_list):
        rows = session.scalars(select(Account).where(Account.tenant == tenant, Account.code.in_(chunk)))
        accounts.update({row.code: account_info(row) for row in rows})
    months = sorted({(day.year, day.month) for day in dates})
    statuses: dict[tuple[int, int], str] = {}
    for month_chunk in _chunks(months):
        stmt = select(FiscalPeriod.year, FiscalPeriod.month, FiscalPeriod.status).where(
            FiscalPeriod.tenant == tenant, tuple_(FiscalPeriod.year, FiscalPeriod.month).in_(month_chunk))
        statuses.update({(year, month): status for year, month, status in session.execute(stmt)})
    fc = functional_currency(session, tenant)
    rates: dict[str, list[tuple[dt.date, Decimal]]] = {}
    if any(info.currency != fc for info in accounts.values()):
        stmt_rates = select(ExchangeRate).where(ExchangeRate.tenant == tenant).order_by(ExchangeRate.rate_date)
        for rate in session.scalars(stmt_rates):
            rates.setdefault(rate.currency, []).append((rate.rate_date, Decimal(rate.rate)))

    departments = frozenset(session.scalars(select(Department.code).where(Department.tenant == tenant)))

    def period_status(day: dt.date) -> str | None:
        return statuses.get((day.year, day.month))

    def fx_rate(currency: str, day: dt.date) -> Decimal | None:
        applicable = [value for since, value in rates.get(currency, []) if since <= day]
        return applicable[-1] if applicable else None

    return LedgerContext(fc, accounts, period_status, fx_rate, departments=departments or None)
