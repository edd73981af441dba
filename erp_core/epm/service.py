"""EPM reads and writes: KPIs, budget vs. actual, budgets, and forecasts of KPIs and accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.directory import list_departments, resolve_department
from erp_core.epm.actuals import account_activity, account_balances, monthly_activity
from erp_core.epm.kpis import BALANCE_CODES, KPIS, KpiInputs, render
from erp_core.epm.models import Budget
from erp_core.epm.periods import Window, parse_window
from erp_core.errors import ErrorCode, Issue, NexusError, validation_error
from erp_core.hr.queries import headcount_at
from erp_core.identity import Actor
from erp_core.ledger.models import Account
from erp_core.money import MoneyError, minor_units, parse_amount, to_minor
from erp_core.tenancy import functional_currency

#: who may read financial performance (KPIs, budgets, forecasts)
EPM_READERS = ("accountant", "controller", "cfo", "admin")
#: who may set budgets
BUDGET_OWNERS = ("controller", "cfo")


def require_reader(actor: Actor) -> None:
    if not actor.has_role(*EPM_READERS):
        raise NexusError(ErrorCode.FORBIDDEN, "financial performance data is for finance roles only")


class KpiValue(BaseModel):
    key: str
    label: str
    unit: str
    value: str | None  # None: not defined here (e.g. cash for one department, margin with no revenue)
    definition: str


class KpiReport(BaseModel):
    period: str
    start: dt.date
    end: dt.date
    department: str | None
    currency: str
    kpis: list[KpiValue]


def kpi_inputs(session: Session, tenant: str, window: Window, department: str | None) -> KpiInputs:
    activity = account_activity(session, tenant, window.start, window.end, department)
    opening = account_balances(session, tenant, window.start - dt.timedelta(days=1), BALANCE_CODES)
    closing = account_balances(session, tenant, window.end, BALANCE_CODES)
    heads = headcount_at(session, tenant, window.end, department)
    return KpiInputs(activity, opening, closing, window.days, heads, department)


def kpi_report(session: Session, actor: Actor, period: str, *, department: str | None = None, ytd: bool = False,
               keys: list[str] | None = None) -> KpiReport:
    """KPIs for a month, quarter or year (or year-to-date), for the company or one department."""
    require_reader(actor)
    unknown = [k for k in keys or [] if k not in KPIS]
    if unknown:
        raise NexusError(ErrorCode.UNKNOWN_NAME, f"unknown KPI {', '.join(unknown)}", candidates=sorted(KPIS))
    window = parse_window(period, ytd=ytd)
    if department is not None:
        department = resolve_department(session, actor.tenant, department).code
    currency = functional_currency(session, actor.tenant)
    inputs = kpi_inputs(session, actor.tenant, window, department)
    digits = minor_units(currency)
    values = [KpiValue(key=d.key, label=d.label, unit=d.unit, value=render(d.compute(inputs), d.unit, digits),
                       definition=d.definition) for key, d in KPIS.items() if keys is None or key in keys]
    return KpiReport(period=window.label, start=window.start, end=window.end, department=department,
                     currency=currency, kpis=values)


class VarianceRow(BaseModel):
    department_code: str | None
    account_code: str
    account_name: str
    budget: str
    actual: str
    variance: str  # actual − budget
    variance_pct: str | None  # variance ÷ budget × 100
    favourable: bool


class BudgetVsActual(BaseModel):
    period: str
    start: dt.date
    end: dt.date
    department: str | None
    currency: str
    rows: list[VarianceRow]
    total_budget_net_income: str
    total_actual_net_income: str
    # What a cost centre is asked about ("how is marketing doing against budget?"): its spending, not its net income
    total_budget_expenses: str = "0"
    total_actual_expenses: str = "0"
    has_income: bool = True  # whether any income account has a budget or actual in scope


def _budget_totals(session: Session, tenant: str, window: Window,
                   department: str | None) -> dict[tuple[str | None, str], int]:
    months = window.months()
    stmt = (select(Budget.department_code, Budget.account_code, func.sum(Budget.amount_minor))
            .where(Budget.tenant == tenant, (Budget.year * 100 + Budget.month).between(
                months[0][0] * 100 + months[0][1], months[-1][0] * 100 + months[-1][1]))
            .group_by(Budget.department_code, Budget.account_code))
    if department is not None:
        stmt = stmt.where(Budget.department_code == department)
    return {(dept, code): int(total or 0) for dept, code, total in session.execute(stmt)}


def _actual_totals(session: Session, tenant: str, window: Window, department: str | None,
                   by_department: bool) -> dict[tuple[str | None, str], int]:
    if not by_department:
        return {(department, code): net for code, net in
                account_activity(session, tenant, window.start, window.end, department).items()}
    totals: dict[tuple[str | None, str], int] = {}
    for (_y, _m, dept, code), net in monthly_activity(session, tenant, window.start, window.end, department,
                                                      by_department=True).items():
        totals[(dept, code)] = totals.get((dept, code), 0) + net
    return totals


def budget_vs_actual(session: Session, actor: Actor, period: str, *, department: str | None = None,
                     ytd: bool = False, by_department: bool = False) -> BudgetVsActual:
    """Budget against GL actuals per P&L account (and department), with variance and variance %.

    Revenue accounts are shown as positive income and expense accounts as positive cost, so a variance is
    favourable when revenue beats budget or a cost stays under it.
    """
    require_reader(actor)
    window = parse_window(period, ytd=ytd)
    if department is not None:
        department = resolve_department(session, actor.tenant, department).code
    currency = functional_currency(session, actor.tenant)
    digits = minor_units(currency)
    budgets = _budget_totals(session, actor.tenant, window, department)
    if not by_department:
        merged: dict[tuple[str | None, str], int] = {}
        for (_dept, code), amount in budgets.items():
            merged[(department, code)] = merged.get((department, code), 0) + amount
        budgets = merged
    actual_net = _actual_totals(session, actor.tenant, window, department, by_department)
    accounts = dict(session.execute(select(Account.code, Account.name)
                                    .where(Account.tenant == actor.tenant)).tuples().all())
    rows: list[VarianceRow] = []
    net_budget = net_actual = spent_budget = spent_actual = 0
    has_income = False
    for key in sorted(set(budgets) | {k for k in actual_net if k[1][:1] in "4567"}, key=lambda k: (k[0] or "", k[1])):
        dept, code = key
        income = code.startswith(("4", "7010"))
        actual = -actual_net.get(key, 0) if income else actual_net.get(key, 0)
        budget = budgets.get(key, 0)
        variance = actual - budget
        net_budget += budget if income else -budget
        net_actual += actual if income else -actual
        if income:
            has_income = has_income or bool(budget or actual)
        else:
            spent_budget += budget
            spent_actual += actual
        pct = None if budget == 0 else render(Decimal(variance) / Decimal(budget) * 100, "percent", digits)
        rows.append(VarianceRow(
            department_code=dept, account_code=code, account_name=accounts.get(code, code),
            budget=render(Decimal(budget), "money", digits) or "0", actual=render(Decimal(actual), "money", digits)
            or "0", variance=render(Decimal(variance), "money", digits) or "0", variance_pct=pct,
            favourable=variance >= 0 if income else variance <= 0))
    return BudgetVsActual(period=window.label, start=window.start, end=window.end, department=department,
                          currency=currency, rows=rows,
                          total_budget_net_income=render(Decimal(net_budget), "money", digits) or "0",
                          total_actual_net_income=render(Decimal(net_actual), "money", digits) or "0",
                          total_budget_expenses=render(Decimal(spent_budget), "money", digits) or "0",
                          total_actual_expenses=render(Decimal(spent_actual), "money", digits) or "0",
                          has_income=has_income)


class SetBudget(BaseModel):
    """Set the budget of one account for one department and month (controller or CFO)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int = Field(ge=2000, le=2999, description="Budget year.")
    month: int = Field(ge=1, le=12, description="Budget month 1-12.")
    department_code: str = Field(min_length=1, max_length=16, description="Department code, e.g. ENG.")
    account_code: str = Field(min_length=1, max_length=32, description="P&L account code (4xxx-7xxx).")
    amount: str = Field(description="Budget as a decimal string: income for revenue accounts, cost for expenses.")


def set_budgets(cmds: list[SetBudget], actor: Actor, session: Session) -> int:
    """Insert or replace budget lines; every problem is reported at once and nothing is written if any exists."""
    if not actor.has_role(*BUDGET_OWNERS):
        raise NexusError(ErrorCode.FORBIDDEN, "only a controller or the CFO may set budgets")
    currency = functional_currency(session, actor.tenant)
    departments = {d.code for d in list_departments(session, actor.tenant)}
    accounts = dict(session.execute(select(Account.code, Account.postable).where(
        Account.tenant == actor.tenant)).tuples().all())
    issues: list[Issue] = []
    rows: list[tuple[SetBudget, int]] = []
    for i, cmd in enumerate(cmds):
        where = f"budgets[{i}]"
        if cmd.department_code not in departments:
            issues.append(Issue("unknown_department", f"unknown department {cmd.department_code}",
                                f"{where}.department_code"))
        if not accounts.get(cmd.account_code) or cmd.account_code[:1] not in "4567":
            issues.append(Issue("not_a_pl_account", f"{cmd.account_code} is not a postable P&L account",
                                f"{where}.account_code"))
        try:
            rows.append((cmd, to_minor(parse_amount(cmd.amount, currency), currency)))
        except MoneyError as err:
            issues.append(Issue("invalid_amount", str(err), f"{where}.amount"))
    if issues:
        raise validation_error(issues)
    for cmd, minor in rows:
        existing = session.scalar(select(Budget).where(
            Budget.tenant == actor.tenant, Budget.year == cmd.year, Budget.month == cmd.month,
            Budget.department_code == cmd.department_code, Budget.account_code == cmd.account_code))
        if existing is None:
            session.add(Budget(tenant=actor.tenant, year=cmd.year, month=cmd.month,
                               department_code=cmd.department_code, account_code=cmd.account_code,
                               amount_minor=minor, currency=currency))
        else:
            existing.amount_minor = minor
    session.flush()
    return len(rows)
