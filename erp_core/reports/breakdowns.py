"""Breakdowns: the P&L or one account's activity over a range, split by month, by department or by account.

Built on the same per-account aggregates as the trial balance and the income statement, in the tenant's functional
currency (the ledgers book in it; lines in other currencies would need translating first and are left out). Amounts
are on the account's normal side: revenue and expenses both positive, net income = revenue − expenses.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy.orm import Session

from erp_core.identity import Actor
from erp_core.ledger.accounts import get_account
from erp_core.ledger.models import Account, AccountType
from erp_core.ledger.roles import REPORT_READERS
from erp_core.money import fmt, from_minor
from erp_core.reports.balances import AccountTotal, account_totals, descendant_ids
from erp_core.reports.filters import ReportFilter
from erp_core.tenancy import functional_currency, require_role

Grouping = Literal["month", "department", "account"]
UNASSIGNED = "Unassigned"


def month_ranges(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months that ``[start, end]`` touches, each clipped to the range."""
    ranges = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        ranges.append((max(first, start), min(last, end)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ranges


def pl_sums(totals: Iterable[AccountTotal], currency: str, ids: set[int] | None) -> tuple[int, int]:
    """(revenue, expenses) in minor units on their normal sides, for the accounts in ``ids`` (all when None)."""
    revenue = expenses = 0
    for total in totals:
        if total.currency != currency or (ids is not None and total.account.id not in ids):
            continue
        if total.account.type == AccountType.REVENUE.value:
            revenue += total.natural_minor
        elif total.account.type == AccountType.EXPENSE.value:
            expenses += total.natural_minor
    return revenue, expenses


def _natural(totals: Iterable[AccountTotal], currency: str, ids: set[int]) -> int:
    return sum(t.natural_minor for t in totals if t.currency == currency and t.account.id in ids)


def _row(key: str, label: str, currency: str, totals: list[AccountTotal], account: Account | None,
         ids: set[int] | None) -> dict[str, Any]:
    if account is not None and ids is not None:
        return {"key": key, "label": label, "amount": fmt(from_minor(_natural(totals, currency, ids), currency))}
    revenue, expenses = pl_sums(totals, currency, ids)
    return {"key": key, "label": label, "revenue": fmt(from_minor(revenue, currency)),
            "expenses": fmt(from_minor(expenses, currency)),
            "net_income": fmt(from_minor(revenue - expenses, currency))}


def breakdown(actor: Actor, session: Session, start: dt.date, end: dt.date, by: Grouping, *,
              account_code: str | None = None, department: str | None = None) -> dict[str, Any]:
    """The P&L (or one account, a header account with its subtree) over ``[start, end]`` split ``by`` month,
    department or account (roles: accountant, controller, cfo).

    Rows carry ``revenue``/``expenses``/``net_income`` for the P&L and ``amount`` for an account; ``total`` is the
    whole range, so the rows add up to it.
    """
    require_role(actor, REPORT_READERS, "reading breakdowns")
    currency = functional_currency(session, actor.tenant)
    dims = {"department": department} if department else {}
    account = get_account(session, actor.tenant, account_code) if account_code else None
    ids = set(descendant_ids(session, actor.tenant, account)) if account is not None else None
    whole = account_totals(session, actor.tenant, ReportFilter(end, start, dims))
    rows: list[dict[str, Any]] = []
    if by == "month":
        for first, last in month_ranges(start, end):
            part = account_totals(session, actor.tenant, ReportFilter(last, first, dims))
            rows.append(_row(f"{first:%Y-%m}", f"{calendar.month_name[first.month]} {first.year}", currency, part,
                             account, ids))
    elif by == "department":
        grouped: dict[str | None, list[AccountTotal]] = defaultdict(list)
        for total in account_totals(session, actor.tenant, ReportFilter(end, start, dims), group_by="department"):
            grouped[total.dimension].append(total)
        for dept in sorted(grouped, key=lambda d: (d is None, d or "")):
            part = grouped[dept]
            if (ids is not None and not _natural(part, currency, ids)) or (ids is None and pl_sums(part, currency,
                                                                                                   None) == (0, 0)):
                continue  # a department with no lines on these accounts is not part of the breakdown
            rows.append(_row(dept or "", dept or UNASSIGNED, currency, part, account, ids))
    else:
        for total in whole:
            if total.currency != currency or total.natural_minor == 0:
                continue
            if ids is not None and total.account.id not in ids:
                continue
            if ids is None and total.account.type not in (AccountType.REVENUE.value, AccountType.EXPENSE.value):
                continue
            rows.append({"key": total.account.code, "label": f"{total.account.code} {total.account.name}",
                         "type": total.account.type, "amount": fmt(from_minor(total.natural_minor, currency))})
    return {"by": by, "date_from": start.isoformat(), "as_of": end.isoformat(), "currency": currency,
            "department": department, "account_code": account.code if account else None,
            "account_name": account.name if account else None, "rows": rows,
            "total": _row("total", "Total", currency, whole, account, ids)}
