"""Period-over-period comparisons: the P&L (revenue, expenses, net income) or one account's activity in one range
against another, with the change and the change in percent.

Actual against budget is computed with the budgets (``erp_core.epm.service.budget_vs_actual``);
:func:`budget_comparison` narrows that report to one account (or the P&L's net income) in the same row shape.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.epm.service import budget_vs_actual
from erp_core.identity import Actor
from erp_core.ledger.accounts import get_account
from erp_core.ledger.models import Account
from erp_core.ledger.roles import REPORT_READERS
from erp_core.money import fmt, from_minor
from erp_core.reports.balances import AccountTotal, account_totals, descendant_ids
from erp_core.reports.breakdowns import pl_sums
from erp_core.reports.filters import ReportFilter
from erp_core.tenancy import functional_currency, require_role

Range = tuple[dt.date, dt.date]


def change_pct(current: int, previous: int) -> str | None:
    """(current − previous) ÷ |previous| × 100 to one place; None when there is nothing to compare against."""
    if previous == 0:
        return None
    pct = (Decimal(current - previous) / abs(Decimal(previous)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return fmt(pct)


def _measures(totals: list[AccountTotal], currency: str, ids: set[int] | None) -> dict[str, int]:
    if ids is not None:
        return {"amount": sum(t.natural_minor for t in totals if t.currency == currency and t.account.id in ids)}
    revenue, expenses = pl_sums(totals, currency, None)
    return {"revenue": revenue, "expenses": expenses, "net_income": revenue - expenses}


def compare_periods(actor: Actor, session: Session, current: Range, previous: Range, *,
                    account_code: str | None = None, department: str | None = None) -> dict[str, Any]:
    """The P&L (or one account) in ``current`` against ``previous`` (roles: accountant, controller, cfo).

    Each row is one measure (revenue, expenses, net income; or the account's net activity on its normal side) with
    both values, ``change`` = current − previous and ``change_pct`` (None when the previous value is zero).
    """
    require_role(actor, REPORT_READERS, "reading comparisons")
    currency = functional_currency(session, actor.tenant)
    dims = {"department": department} if department else {}
    account = get_account(session, actor.tenant, account_code) if account_code else None
    ids = set(descendant_ids(session, actor.tenant, account)) if account is not None else None
    now = _measures(account_totals(session, actor.tenant, ReportFilter(current[1], current[0], dims)), currency, ids)
    before = _measures(account_totals(session, actor.tenant, ReportFilter(previous[1], previous[0], dims)), currency,
                       ids)
    rows = [{"measure": key, "current": fmt(from_minor(now[key], currency)),
             "previous": fmt(from_minor(before[key], currency)),
             "change": fmt(from_minor(now[key] - before[key], currency)),
             "change_pct": change_pct(now[key], before[key])} for key in now]
    return {"currency": currency, "department": department, "account_code": account.code if account else None,
            "account_name": account.name if account else None,
            "current": {"date_from": current[0].isoformat(), "as_of": current[1].isoformat()},
            "previous": {"date_from": previous[0].isoformat(), "as_of": previous[1].isoformat()}, "rows": rows}


def budget_comparison(actor: Actor, session: Session, period: str, *, ytd: bool = False,
                      account_code: str | None = None, department: str | None = None) -> dict[str, Any]:
    """Actual against budget over an EPM window (``period`` "2026-10", "2026-Q3", "2026"; ``ytd`` to 1 January) for
    one account (a header account: its subtree) or, without one, for net income (roles: the EPM readers).

    Amounts follow the budget report's convention: income and cost both positive; ``variance`` = actual − budget and
    ``variance_pct`` its share of the budget (None without a budget).
    """
    report = budget_vs_actual(session, actor, period, department=department, ytd=ytd)
    account = get_account(session, actor.tenant, account_code) if account_code else None
    if account is not None:
        ids = descendant_ids(session, actor.tenant, account)
        codes = set(session.scalars(select(Account.code).where(Account.id.in_(ids))))
        rows = [r for r in report.rows if r.account_code in codes]
        actual = sum((Decimal(r.actual) for r in rows), Decimal(0))
        budget = sum((Decimal(r.budget) for r in rows), Decimal(0))
        measure = "amount"
    else:
        actual, budget = Decimal(report.total_actual_net_income), Decimal(report.total_budget_net_income)
        measure = "net_income"
    variance = actual - budget
    pct = None if budget == 0 else fmt((variance / abs(budget) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP))
    return {"period": report.period, "date_from": report.start.isoformat(), "as_of": report.end.isoformat(),
            "currency": report.currency, "department": report.department,
            "account_code": account.code if account else None, "account_name": account.name if account else None,
            "rows": [{"measure": measure, "actual": fmt(actual), "budget": fmt(budget), "variance": fmt(variance),
                      "variance_pct": pct}]}
