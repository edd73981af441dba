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
    return Decimal(account_balance(str(spec["account"]), actor, session, _period_filter(spec, today))["balance"])


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


def _period_filter(spec: dict[str, Any], today: dt.date) -> ReportFilter:
    """The report range a tool covers for ``spec['period']``: a period still running ends today."""
    rng = resolve_period(str(spec["period"]), today)
    dims = {"department": str(spec["department"])} if spec.get("department") else {}
    return ReportFilter(as_of=min(rng.end, today) if rng.start <= today else rng.end, date_from=rng.start,
                        dimensions=dims)


def _one_currency(sums: dict[str, str]) -> Decimal:
    """A report total keyed by currency, in the tenant's only currency (0 when nothing was posted)."""
    return sum((Decimal(v) for v in sums.values()), Decimal(0))


def _income_statement(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """``field``: revenue, expenses or net_income of the P&L over ``period`` (optionally one ``department``)."""
    from erp_core.reports.statements import income_statement

    report = income_statement(actor, session, _period_filter(spec, today))
    key = {"revenue": "total_revenue", "expenses": "total_expenses", "net_income": "net_income"}[
        str(spec.get("field", "net_income"))]
    return _one_currency(report[key])


def _largest_expense(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """The ``rank``-th largest expense account's amount on the P&L over ``period`` (1 = the largest)."""
    from erp_core.reports.statements import income_statement

    rows = income_statement(actor, session, _period_filter(spec, today))["expenses"]
    amounts = sorted((Decimal(r["amount"]) for r in rows), reverse=True)
    return amounts[int(spec.get("rank", 1)) - 1]


def _balance_sheet(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """``field``: total_assets, total_liabilities or total_equity as of ``as_of``."""
    from erp_core.reports.statements import balance_sheet

    report = balance_sheet(actor, session, resolve_as_of(spec.get("as_of"), today))
    return _one_currency(report[str(spec.get("field", "total_assets"))])


def _aging(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> dict[str, Any]:
    from erp_core.apar.aging import aging_report

    kind = "invoice" if spec.get("kind", "invoice") in ("invoice", "receivables") else "bill"
    return aging_report(kind, resolve_as_of(spec.get("as_of"), today), actor, session)  # type: ignore[arg-type]


def _open_items(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """Open receivables (``kind: invoice``) or payables (``kind: bill``): ``field`` total or an aging bucket
    (current, 1-30, 31-60, 61-90, over_90), in total or for one ``party`` (a name fragment or code)."""
    report = _aging(session, actor, today, spec)
    rows = list(report["totals"])
    if spec.get("party"):
        wanted = str(spec["party"]).lower()
        rows = [p for p in report["parties"] if wanted in p["name"].lower() or wanted == p["code"].lower()]
        if not rows:
            raise validation_error([Issue("no_party", f"no open items for {spec['party']!r}", "oracle")])
    return sum((Decimal(r[str(spec.get("field", "total"))]) for r in rows), Decimal(0))


def _largest_open_balance(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """The ``rank``-th largest open balance of one customer (``kind: invoice``) or vendor (``kind: bill``)."""
    totals = sorted((Decimal(p["total"]) for p in _aging(session, actor, today, spec)["parties"]), reverse=True)
    return totals[int(spec.get("rank", 1)) - 1]


def _pipeline(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """Open pipeline ``field`` (amount, weighted_amount or count), in total or for one ``stage``."""
    from erp_core.crm.queries import pipeline

    rows = [r for r in pipeline(session, actor, "stage") if not spec.get("stage") or r.key == spec["stage"]]
    field = str(spec.get("field", "amount"))
    return sum((Decimal(str(getattr(r, field))) for r in rows), Decimal(0))


def _customer(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """One customer's account 360 ``field``: lifetime_won or open_pipeline."""
    from erp_core.crm.queries import account_360
    from erp_core.resolve.parties import resolve_customer

    account = resolve_customer(session, actor, str(spec["customer"]))
    noon = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
    return Decimal(str(getattr(account_360(session, actor, account.id, noon), str(spec.get("field", "open_pipeline")))))


def _kpi(session: Session, actor: Actor, today: dt.date, spec: dict[str, Any]) -> Decimal:
    """One KPI (``key``, e.g. revenue, gross_margin_pct, dso) for ``period`` (an EPM period such as 2026-Q3)."""
    from erp_core.epm.service import kpi_report

    report = kpi_report(session, actor, str(spec["period"]), department=spec.get("department"),
                        keys=[str(spec["key"])])
    value = report.kpis[0].value
    if value is None:
        raise validation_error([Issue("no_value", f"KPI {spec['key']} has no value for {spec['period']}", "oracle")])
    return Decimal(value.replace(",", "").rstrip("%").strip())


ORACLES: dict[str, OracleFn] = {
    "account_balance": _balance,
    "account_activity": _activity,
    "trial_balance_debits": _trial_balance_debits,
    "budget_vs_actual": _budget_vs_actual,
    "leave_balance": _leave_balance,
    "headcount": _headcount,
    "income_statement": _income_statement,
    "largest_expense": _largest_expense,
    "balance_sheet": _balance_sheet,
    "open_items": _open_items,
    "largest_open_balance": _largest_open_balance,
    "pipeline": _pipeline,
    "customer": _customer,
    "kpi": _kpi,
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


def oracle_label(spec: dict[str, Any]) -> str:
    """``income_statement(period='Q3 2026', field='revenue')``: an oracle spec as a reader of the report sees it."""
    args = ", ".join(f"{k}={v!r}" for k, v in spec.items() if k != "name")
    return f"{spec.get('name')}({args})"
