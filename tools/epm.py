"""EPM tools: budget vs. actual, KPIs, forecasts and the anomaly review. Finance roles only (``EPM_READERS``)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from erp_core.anomaly import LEDGER_SCORES
from erp_core.epm.forecasting import ForecastView, forecast_account, forecast_kpi
from erp_core.epm.service import EPM_READERS, BudgetVsActual, KpiReport, budget_vs_actual, kpi_report
from erp_core.errors import ErrorCode, NexusError, refused_value
from erp_core.ledger.roles import REPORT_READERS
from erp_core.resolve import resolve_period
from erp_core.resolve.accounts import resolve_account
from erp_core.resolve.departments import resolve_department_name
from erp_core.resolve.domain_queries import AnomalyQuery, BudgetQuery, ForecastQuery, KpiQuery
from erp_core.resolve.epm import epm_window, resolve_kpi
from tools import present_epm as present
from tools.context import ToolContext
from tools.formatting import period_words
from tools.output import ToolOutput
from tools.registry import tool

MAX_ROWS = 15


def _department(session: Session, ctx: ToolContext, text: str | None) -> str | None:
    return resolve_department_name(session, ctx.actor.tenant, text).code if text else None


@tool("budget_vs_actual", BudgetQuery, roles=EPM_READERS, examples=(
    "How are we tracking against budget this quarter?", "Budget vs actual for engineering last month",
    "Where did we overspend in Q3?", "Variance report for FY2025"))
def budget_vs_actual_tool(ctx: ToolContext, q: BudgetQuery) -> ToolOutput:
    """Budget against actuals per P&L account, with variance, variance % and whether it is favourable."""
    window = epm_window(q.period, ctx.today)
    with ctx.db.read() as session:
        report = budget_vs_actual(session, ctx.actor, window.label, department=_department(session, ctx, q.department),
                                  ytd=window.ytd)
    # The largest variances first: what a reader asks about.
    rows = sorted(report.rows, key=lambda r: abs(Decimal(r.variance)), reverse=True)[:MAX_ROWS]
    worst = [r for r in rows if not r.favourable][:3]
    scope = report.department or "company"
    return ToolOutput(
        f"Budget vs actual {report.period} ({scope}): net income actual {report.total_actual_net_income} vs budget "
        f"{report.total_budget_net_income} {report.currency}" + (
            "; largest unfavourable: " + ", ".join(
                f"{r.account_name} {r.variance}" + (f" ({r.variance_pct}%)" if r.variance_pct else " (no budget)")
                for r in worst) if worst else ""),
        {"period": report.period, "department": report.department, "currency": report.currency,
         "total_budget_net_income": report.total_budget_net_income,
         "total_actual_net_income": report.total_actual_net_income,
         "total_budget_expenses": report.total_budget_expenses, "total_actual_expenses": report.total_actual_expenses,
         "spending_difference": str(abs(Decimal(report.total_actual_expenses) -
                                        Decimal(report.total_budget_expenses))),
         "rows": [r.model_dump(exclude={"department_code"}) for r in rows]},
        presentation=present.budget_vs_actual(report, rows), query=_window_query(report, window.ytd))


@tool("kpi", KpiQuery, roles=EPM_READERS, examples=(
    "What was our gross margin last month?", "Show me the KPIs for Q3: EBITDA, opex, revenue per employee",
    "How much cash did we burn last quarter?", "What is DSO year to date?"))
def kpi(ctx: ToolContext, q: KpiQuery) -> ToolOutput:
    """Financial KPIs (revenue, gross margin %, opex, EBITDA, cash, burn, DSO, DPO, headcount) for a period."""
    window = epm_window(q.period, ctx.today)
    keys = [resolve_kpi(q.kpi)] if q.kpi else None
    with ctx.db.read() as session:
        report = kpi_report(session, ctx.actor, window.label, department=_department(session, ctx, q.department),
                            ytd=window.ytd, keys=keys)
    units = {"money": f" {report.currency}", "percent": "%", "days": " days", "count": ""}
    text = ", ".join(f"{k.label} {k.value}{units[k.unit]}" if k.value is not None else f"{k.label} n/a"
                     for k in report.kpis)
    return ToolOutput(f"KPIs {report.period}{' ' + report.department if report.department else ''}: {text}",
                      {"period": report.period, "department": report.department, "currency": report.currency,
                       "kpis": [{"key": k.key, "label": k.label, "unit": k.unit, "value": k.value}
                                for k in report.kpis]},
                      presentation=present.kpis(report),
                      query={**_window_query(report, window.ytd), **({"kpi": keys[0]} if keys else {})})


_HORIZON = 24  # the most months ahead ForecastQuery allows


@tool("forecast", ForecastQuery, roles=EPM_READERS, examples=(
    "Forecast revenue for the next three months", "Where will cash be at year end?",
    "Project travel spend for next quarter", "What will opex look like over the next 6 months?"))
def forecast(ctx: ToolContext, q: ForecastQuery) -> ToolOutput:
    """Forecast a KPI or an account month by month, with a 90% interval and the method's backtest error."""
    rng = resolve_period(q.period, ctx.today) if q.period else None
    # The forecast starts after the last month the ledger has complete, which may be a month or two back: for a
    # named period it runs the longest horizon and is cut after the period's last month.
    months = q.months if rng is None else _HORIZON
    with ctx.db.read() as session:
        department = _department(session, ctx, q.department)
        view = _forecast(session, ctx, q.subject, months, department)
        kind, _, code = view.subject.partition(":")
        account_name = resolve_account(session, ctx.actor.tenant, code).name if kind == "account" else None
    asked = None
    if rng is not None:
        inside = [p for p in view.forecast if rng.start.isoformat()[:7] <= p.period <= rng.end.isoformat()[:7]]
        # cut after the period's last month (a period already in the ledger: the months asked for by count)
        kept = [p for p in view.forecast if p.period <= inside[-1].period] if inside else view.forecast[:q.months]
        view = view.model_copy(update={"forecast": kept})
        asked = (period_words(rng.start, rng.end), inside) if inside else None
    unit = f" {view.currency}" if view.unit == "money" else ""
    points = "; ".join(f"{p.period} {p.value}{unit} ({p.lower}–{p.upper})" for p in view.forecast[:6])
    return ToolOutput(f"Forecast of {view.subject} ({view.method}): {points}. {view.note}",
                      {"subject": view.subject, "unit": view.unit, "currency": view.currency, "method": view.method,
                       "interval_level": view.interval_level,
                       "forecast": [p.model_dump() for p in view.forecast],
                       "recent_history": view.history[-6:],
                       "backtest_mape_pct": view.backtest.mape_pct if view.backtest else None},
                      presentation=present.forecast(view, account_name, asked),
                      query={"subject": view.subject, "months": months, "department": department,
                             **({"period": q.period} if q.period else {})})


def _window_query(report: BudgetVsActual | KpiReport, ytd: bool) -> dict[str, object]:
    """The resolved EPM window and scope a follow-up edits."""
    return {"period": report.period, "start": report.start.isoformat(), "end": report.end.isoformat(), "ytd": ytd,
            "department": report.department}


def _forecast(session: Session, ctx: ToolContext, subject: str, months: int, department: str | None) -> ForecastView:
    """A KPI when the subject names one, else an account; unknown for both lists candidates of both."""
    try:
        key = resolve_kpi(subject)
    except NexusError as kpi_error:
        if kpi_error.code is ErrorCode.AMBIGUOUS_NAME:
            raise
        try:
            account = resolve_account(session, ctx.actor.tenant, subject)
        except NexusError as account_error:
            raise refused_value(account_error.code, f"{subject!r} is neither a KPI nor an account", subject,
                                candidates=(kpi_error.candidates[:2] + account_error.candidates[:3])) from None
        return forecast_account(session, ctx.actor, account.code, months, department=department)
    return forecast_kpi(session, ctx.actor, key, months, department=department)


@tool("anomaly_review", AnomalyQuery, roles=sorted(REPORT_READERS), examples=(
    "Which journal entries look suspicious?", "Show anomalous postings this quarter",
    "Anything unusual in the ledger last month?", "List entries flagged for review with their reasons"))
def anomaly_review(ctx: ToolContext, q: AnomalyQuery) -> ToolOutput:
    """Posted journal entries with a high anomaly score in a period, with the reasons a reviewer can check."""
    rng = resolve_period(q.period or "this year", ctx.today)
    with ctx.db.read() as session:
        review = LEDGER_SCORES.review(session, ctx.actor.tenant, rng.start, rng.end, q.min_score, MAX_ROWS)
    currency = review.currency
    rows = [{"entry_id": e.entry_id, "date": e.entry_date.isoformat(), "memo": e.memo, "amount": e.amount,
             "score": round(e.score, 2), "reasons": e.reasons} for e in review.entries]
    top = "; ".join(f"{r['entry_id']} {r['memo']} {r['amount']} {currency} (score {r['score']})" for r in rows[:3])
    return ToolOutput(f"{review.count} entries in {rng.label} score at least {q.min_score}" +
                      (f"; highest: {top}" if top else ""),
                      {"period": rng.label, "currency": currency, "count": review.count, "entries": rows},
                      presentation=present.anomalies(period_words(rng.start, rng.end), rows, review.count, currency,
                                                     q.min_score),
                      query={"period": rng.label, "start": rng.start.isoformat(), "end": rng.end.isoformat(),
                             "min_score": q.min_score})

