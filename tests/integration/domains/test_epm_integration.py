"""KPIs, budget vs. actual and forecasts computed from the seeded GL, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from erp_core.db import Database
from erp_core.epm.forecasting import forecast_account, forecast_kpi
from erp_core.epm.service import SetBudget, budget_vs_actual, kpi_report, set_budgets
from erp_core.errors import NexusError
from erp_core.ledger.models import Account, JournalLine
from tests.integration.domains.conftest import actor

CAROL = actor("carol", "controller")


def _revenue_from_lines(session, start, end) -> Decimal:  # type: ignore[no-untyped-def]
    net = session.scalar(select(func.sum(JournalLine.credit_minor - JournalLine.debit_minor))
                         .join(Account, Account.id == JournalLine.account_id)
                         .where(JournalLine.tenant == "acme", Account.code.like("4%"),
                                JournalLine.entry_date.between(start, end)))
    return Decimal(int(net)) / 100


def test_kpis_come_from_the_gl(seeded: Database) -> None:
    with seeded.read() as session:
        month = kpi_report(session, CAROL, "2026-09")
        values = {k.key: k.value for k in month.kpis}
        assert Decimal(values["revenue"]) == _revenue_from_lines(session, month.start, month.end)
        assert Decimal(values["revenue"]) > 0 and values["gross_margin_pct"] is not None
        assert int(values["headcount"]) >= 140
        assert values["dso"] is not None and Decimal(values["dso"]) > 0
        ytd = kpi_report(session, CAROL, "2026-09", ytd=True)
        assert Decimal({k.key: k.value for k in ytd.kpis}["revenue"]) > Decimal(values["revenue"]) * 6
        eng = kpi_report(session, CAROL, "2026-Q3", department="Engineering")
        eng_values = {k.key: k.value for k in eng.kpis}
        assert eng.department == "ENG" and eng_values["cash"] is None and Decimal(eng_values["opex"]) > 0


def test_budget_vs_actual_has_variances(seeded: Database) -> None:
    with seeded.read() as session:
        report = budget_vs_actual(session, CAROL, "2026-09", by_department=True)
        rows = {(r.department_code, r.account_code): r for r in report.rows}
        payroll = rows[("ENG", "6010")]
        assert Decimal(payroll.budget) > 0 and Decimal(payroll.actual) > 0
        assert Decimal(payroll.variance) == Decimal(payroll.actual) - Decimal(payroll.budget)
        assert payroll.variance_pct is not None
        assert {r.department_code for r in report.rows} >= {"ENG", "SALES", "OPS", "FIN"}


def test_finance_roles_only_and_bad_periods(seeded: Database) -> None:
    with seeded.read() as session:
        with pytest.raises(NexusError) as err:
            kpi_report(session, actor("eve", "employee"), "2026-09")
        assert err.value.code == "forbidden"
        with pytest.raises(NexusError) as err:
            kpi_report(session, CAROL, "Sept 2026")
        assert err.value.code == "validation_failed"


def test_forecasts_report_interval_and_backtest(seeded_sqlite: Database) -> None:
    with seeded_sqlite.read() as session:
        revenue = forecast_kpi(session, CAROL, "revenue", 3)
        assert len(revenue.history) == 24 and len(revenue.forecast) == 3
        for point in revenue.forecast:
            assert Decimal(point.lower) <= Decimal(point.value) <= Decimal(point.upper)
        assert revenue.backtest is not None and revenue.backtest.mape_pct is not None
        rent = forecast_account(session, CAROL, "6100", 2)
        assert rent.forecast[0].period == "2026-11"


def test_set_budgets_reports_every_issue(seeded_sqlite: Database) -> None:
    with seeded_sqlite.unit_of_work() as session:
        with pytest.raises(NexusError) as err:
            set_budgets([SetBudget(year=2027, month=1, department_code="NOPE", account_code="1010", amount="1.001")],
                        CAROL, session)
        assert {i.code for i in err.value.issues} == {"unknown_department", "not_a_pl_account", "invalid_amount"}
        assert set_budgets([SetBudget(year=2027, month=1, department_code="ENG", account_code="6300",
                                      amount="12000.00")], CAROL, session) == 1
