"""Income statement and balance sheet, built from the same per-account aggregates as the trial balance."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from erp_core.identity import Actor
from erp_core.ledger.models import AccountType
from erp_core.ledger.roles import REPORT_READERS
from erp_core.money import fmt, from_minor
from erp_core.reports.balances import AccountTotal, account_totals
from erp_core.reports.filters import ReportFilter
from erp_core.tenancy import require_role


def _section(totals: list[AccountTotal], kind: AccountType) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rows: list[dict[str, Any]] = []
    sums: dict[str, int] = defaultdict(int)
    for total in totals:
        if total.account.type != kind.value or total.natural_minor == 0:
            continue
        rows.append({"account_code": total.account.code, "account_name": total.account.name,
                     "currency": total.currency, "amount": fmt(from_minor(total.natural_minor, total.currency))})
        sums[total.currency] += total.natural_minor
    return rows, sums


def _money(sums: dict[str, int]) -> dict[str, str]:
    return {currency: fmt(from_minor(value, currency)) for currency, value in sorted(sums.items())}


def income_statement(actor: Actor, session: Session, flt: ReportFilter) -> dict[str, Any]:
    """Revenue, expenses and net income over the filter's date range (roles: accountant, controller, cfo)."""
    require_role(actor, REPORT_READERS, "reading the income statement")
    totals = account_totals(session, actor.tenant, flt)
    revenue, revenue_sums = _section(totals, AccountType.REVENUE)
    expenses, expense_sums = _section(totals, AccountType.EXPENSE)
    net = {cur: revenue_sums.get(cur, 0) - expense_sums.get(cur, 0) for cur in set(revenue_sums) | set(expense_sums)}
    return {**flt.describe(), "revenue": revenue, "expenses": expenses, "total_revenue": _money(revenue_sums),
            "total_expenses": _money(expense_sums), "net_income": _money(net)}


def balance_sheet(actor: Actor, session: Session, as_of: dt.date,
                  dimensions: dict[str, str] | None = None) -> dict[str, Any]:
    """Assets, liabilities and equity as of a date (roles: accountant, controller, cfo).

    Revenue and expense accounts are not closed into retained earnings by entries, so their cumulative net appears
    as the equity line "current earnings"; ``balanced`` checks assets = liabilities + equity per currency.
    """
    require_role(actor, REPORT_READERS, "reading the balance sheet")
    totals = account_totals(session, actor.tenant, ReportFilter(as_of, None, dict(dimensions or {})))
    assets, asset_sums = _section(totals, AccountType.ASSET)
    liabilities, liability_sums = _section(totals, AccountType.LIABILITY)
    equity, equity_sums = _section(totals, AccountType.EQUITY)
    _, revenue_sums = _section(totals, AccountType.REVENUE)
    _, expense_sums = _section(totals, AccountType.EXPENSE)
    currencies = set(asset_sums) | set(liability_sums) | set(equity_sums) | set(revenue_sums) | set(expense_sums)
    earnings = {cur: revenue_sums.get(cur, 0) - expense_sums.get(cur, 0) for cur in currencies}
    for cur, value in sorted(earnings.items()):
        if value:
            equity.append({"account_code": None, "account_name": "Current earnings", "currency": cur,
                           "amount": fmt(from_minor(value, cur))})
            equity_sums[cur] += value
    balanced = {cur: asset_sums.get(cur, 0) == liability_sums.get(cur, 0) + equity_sums.get(cur, 0)
                for cur in currencies}
    return {"as_of": as_of.isoformat(), "assets": assets, "liabilities": liabilities, "equity": equity,
            "total_assets": _money(asset_sums), "total_liabilities": _money(liability_sums),
            "total_equity": _money(equity_sums), "balanced": all(balanced.values())}
