"""Forecast a KPI or an account N months ahead from its monthly GL history, with interval and backtest error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.epm.actuals import account_balances, monthly_activity
from erp_core.epm.kpis import BALANCE_CODES, KPIS, KpiInputs, Unit, render
from erp_core.epm.periods import Window, month_end
from erp_core.epm.service import require_reader
from erp_core.errors import ErrorCode, NexusError, not_found, refused_value
from erp_core.forecast import forecast
from erp_core.hr.queries import headcount_at
from erp_core.identity import Actor
from erp_core.ledger.models import Account, JournalLine
from erp_core.money import minor_units
from erp_core.tenancy import functional_currency


class ForecastPoint(BaseModel):
    period: str  # YYYY-MM
    value: str
    lower: str
    upper: str


class BacktestView(BaseModel):
    holdout_months: int
    mape_pct: str | None  # mean absolute percentage error on the held-back months
    method: str
    actual: list[str]
    predicted: list[str]


class ForecastView(BaseModel):
    subject: str  # "kpi:revenue" or "account:6100"
    unit: str
    currency: str
    method: str
    interval_level: float
    history: list[tuple[str, str]]
    forecast: list[ForecastPoint]
    backtest: BacktestView | None
    note: str


def _next_months(year: int, month: int, n: int) -> list[str]:
    out = []
    for _ in range(n):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        out.append(f"{year:04d}-{month:02d}")
    return out


def history_window(session: Session, tenant: str, through: str | None) -> Window:
    """From the first month with GL lines to ``through`` (YYYY-MM) or the last month with lines."""
    first, last = session.execute(select(func.min(JournalLine.entry_date), func.max(JournalLine.entry_date))
                                  .where(JournalLine.tenant == tenant)).one()
    if first is None:
        raise NexusError(ErrorCode.INVALID_STATE, "the ledger has no posted lines to forecast from")
    end = last
    if through is not None:
        year, month = (int(p) for p in through.split("-"))
        end = month_end(year, month)
    return Window("history", dt.date(first.year, first.month, 1), month_end(end.year, end.month))


def _kpi_series(session: Session, tenant: str, key: str, window: Window, department: str | None) -> list[Decimal]:
    activity = monthly_activity(session, tenant, window.start, window.end, department)
    balances = account_balances(session, tenant, window.start - dt.timedelta(days=1), BALANCE_CODES)
    series: list[Decimal] = []
    for year, month in window.months():
        month_activity = {code: net for (y, m, _d, code), net in activity.items() if (y, m) == (year, month)}
        opening = dict(balances)
        for code in BALANCE_CODES:
            balances[code] = balances.get(code, 0) + month_activity.get(code, 0)
        end = month_end(year, month)
        inputs = KpiInputs(month_activity, opening, dict(balances), end.day,
                           headcount_at(session, tenant, end, department), department)
        value = KPIS[key].compute(inputs)
        series.append(value if value is not None else Decimal(0))
    return series


def _view(subject: str, unit: Unit, currency: str, window: Window, series: list[Decimal], months: int,
          level: float) -> ForecastView:
    digits = minor_units(currency)
    scale = digits if unit == "money" else 0
    values = [float(v.scaleb(-scale)) for v in series]
    result = forecast(values, months, level=level)

    def text(value: float) -> str:
        return render(Decimal(repr(value)).scaleb(scale), unit, digits) or "0"

    labels = [f"{y:04d}-{m:02d}" for y, m in window.months()]
    last_year, last_month = window.months()[-1]
    # A series that was never negative (costs, headcount, revenue) is not forecast below zero: a symmetric
    # interval around a small mean would otherwise say "-18,777 USD of software subscriptions".
    floor = 0.0 if all(v >= 0 for v in values) else float("-inf")
    points = [ForecastPoint(period=p, value=text(max(v, floor)), lower=text(max(lo, floor)), upper=text(hi))
              for p, v, lo, hi in zip(_next_months(last_year, last_month, months), result.mean, result.lower,
                                      result.upper, strict=True)]
    check = result.backtest
    backtest = None if check is None else BacktestView(
        holdout_months=check.holdout, method=check.method,
        mape_pct=None if check.mape is None else f"{check.mape * 100:.1f}",
        actual=[text(v) for v in check.actual], predicted=[text(v) for v in check.predicted])
    note = ("No backtest: the series is too short to hold months back." if check is None else
            f"Backtest: the same method, fitted without the last {check.holdout} months, missed them by "
            f"{backtest.mape_pct if backtest else '?'}% on average (MAPE).")
    return ForecastView(subject=subject, unit=unit, currency=currency, method=result.method, interval_level=level,
                        history=list(zip(labels, (text(v) for v in values), strict=True)), forecast=points,
                        backtest=backtest, note=note)


def forecast_kpi(session: Session, actor: Actor, kpi: str, months: int, *, department: str | None = None,
                 through: str | None = None, level: float = 0.9) -> ForecastView:
    """Forecast a KPI's monthly values ``months`` ahead (e.g. revenue, opex, ebitda, cash)."""
    require_reader(actor)
    if kpi not in KPIS:
        raise refused_value(ErrorCode.UNKNOWN_NAME, f"unknown KPI {kpi!r}", kpi, candidates=sorted(KPIS))
    window = history_window(session, actor.tenant, through)
    currency = functional_currency(session, actor.tenant)
    series = _kpi_series(session, actor.tenant, kpi, window, department)
    return _view(f"kpi:{kpi}", KPIS[kpi].unit, currency, window, series, months, level)


def forecast_account(session: Session, actor: Actor, account_code: str, months: int, *,
                     department: str | None = None, through: str | None = None,
                     level: float = 0.9) -> ForecastView:
    """Forecast an account's monthly net activity in its natural direction (revenue as income, costs as cost)."""
    require_reader(actor)
    account = session.scalar(select(Account).where(Account.tenant == actor.tenant, Account.code == account_code))
    if account is None:
        raise not_found("account", account_code)
    window = history_window(session, actor.tenant, through)
    currency = functional_currency(session, actor.tenant)
    activity = monthly_activity(session, actor.tenant, window.start, window.end, department)
    sign = -1 if account.type in ("revenue", "liability", "equity") else 1
    series = [Decimal(sign * sum(net for (y, m, _d, code), net in activity.items()
                                 if (y, m) == ym and code == account_code)) for ym in window.months()]
    return _view(f"account:{account_code}", "money", currency, window, series, months, level)
