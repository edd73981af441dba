"""Deterministic oracles: the figure a correct answer must state, computed from the seeded ledger at run time.

A dataset names an oracle and its inputs (``{name: account_balance, account: "6100", as_of: "2026-10-31"}``); the
figure itself is never typed into a dataset, so a change to the seed or the ledger code cannot leave a stale answer
key behind. Each oracle calls the same erp_core service the tools call, as the case's own actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from erp_core.db import Database
from erp_core.errors import Issue, validation_error
from erp_core.identity import Actor
from erp_core.reports.balances import account_balance, trial_balance
from erp_core.reports.filters import ReportFilter
from erp_core.resolve.periods import resolve_as_of, resolve_period

OracleFn = Callable[[Session, Actor, dt.date, dict[str, Any]], Decimal]


def _balance(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    as_of = resolve_as_of(spec.get("as_of"), today)
    return Decimal(account_balance(str(spec["account"]), actor, session, ReportFilter(as_of=as_of))["balance"])


def _activity(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """Net movement of an account over a period, on its normal side (what "spent on X in October" means)."""
    rng = resolve_period(str(spec["period"]), today)
    flt = ReportFilter(as_of=min(rng.end, today), date_from=rng.start)
    return Decimal(account_balance(str(spec["account"]), actor, session, flt)["balance"])


def _trial_balance_debits(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    as_of = resolve_as_of(spec.get("as_of"), today)
    return Decimal(str(trial_balance(actor, session, ReportFilter(as_of=as_of))["totals"]["debit"]))


def _budget_vs_actual(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """Actual (or budget, ``field: budget``) of one account, or the net income total when no account is named."""
    from erp_core.epm.service import budget_vs_actual

    report = budget_vs_actual(session, actor, str(spec["period"]), department=spec.get("department"))
    field = str(spec.get("field", "actual"))
    if "account" not in spec:
        return Decimal(report.total_actual_net_income if field == "actual" else report.total_budget_net_income)
    row = next((r for r in report.rows if r.account_code == str(spec["account"])), None)
    if row is None:
        raise validation_error([Issue("no_row", f"no budget row for account {spec['account']}", "oracle")])
    return Decimal(str(getattr(row, field)).replace(",", ""))


def _leave_balance(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    from erp_core.hr.queries import employee_for_user, leave_balance_for

    user = str(spec.get("user") or actor.user_id)
    employee = employee_for_user(session, actor.tenant, user)
    if employee is None:
        raise validation_error([Issue("no_employee", f"{user} is not an employee", "oracle")])
    view = leave_balance_for(session, actor, employee.id, today, str(spec.get("leave_type", "annual")))
    return Decimal(view.balance)


def _headcount(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    from erp_core.hr.queries import headcount_at

    on = resolve_as_of(spec.get("on"), today)
    return Decimal(headcount_at(session, actor.tenant, on, spec.get("department")))


ORACLES: dict[str, OracleFn] = {
    "account_balance": _balance,
    "account_activity": _activity,
    "trial_balance_debits": _trial_balance_debits,
    "budget_vs_actual": _budget_vs_actual,
    "leave_balance": _leave_balance,
    "headcount": _headcount,
}


def expected_figure(db: Database, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """Run the oracle ``spec['name']`` as ``actor``.

    Raises:
        NexusError: VALIDATION_FAILED for an unknown oracle; whatever the domain service raises for bad inputs.
    """
    name = str(spec.get("name"))
    if name not in ORACLES:
        raise validation_error([Issue("unknown_oracle", f"unknown oracle {name!r}; known: {sorted(ORACLES)}",
                                      "oracle")])
    with db.read() as session:
        return ORACLES[name](session, actor, today, spec)
