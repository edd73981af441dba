"""EPM tools on the seeded company: figures equal the EPM services' own, the anomaly review finds the planted
anomalies, and the services' role checks hold when a tool is called directly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from erp_core.db import Database
from erp_core.epm.forecasting import forecast_account
from erp_core.epm.service import budget_vs_actual, kpi_report
from erp_core.errors import ErrorCode, NexusError
from erp_core.seed.models import PlantedAnomaly
from tests.integration.tools.conftest import acme, run_tool
from tools.errors import classify

FRANK = acme("frank", "cfo")


def test_budget_vs_actual_matches_the_service(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, FRANK, "budget_vs_actual", {"period": "Q3", "department": "engineering"})
    with seeded_read_db.read() as session:
        expected = budget_vs_actual(session, FRANK, "2026-Q3", department="ENG")
    assert out.data["period"] == "2026-Q3" and out.data["department"] == "ENG"
    assert out.data["total_actual_net_income"] == expected.total_actual_net_income
    assert out.data["total_budget_net_income"] == expected.total_budget_net_income
    by_code = {r.account_code: r for r in expected.rows}
    assert 0 < len(out.data["rows"]) <= 15
    for row in out.data["rows"]:
        assert row["variance"] == by_code[row["account_code"]].variance
    assert expected.total_actual_net_income in out.summary and "USD" in out.summary


def test_budget_defaults_to_last_month_company_wide(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, acme("carol", "controller"), "budget_vs_actual", {})
    assert out.data["period"] == "2026-10" and out.data["department"] is None


def test_kpi_by_spoken_name_and_period(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, FRANK, "kpi", {"kpi": "gross margin", "period": "last month"})
    with seeded_read_db.read() as session:
        expected = kpi_report(session, FRANK, "2026-10", keys=["gross_margin_pct"]).kpis[0].value
    assert out.data["kpis"] == [{"key": "gross_margin_pct", "label": "Gross margin %", "unit": "percent",
                                 "value": expected}]
    assert f"{expected}%" in out.summary


def test_all_kpis_year_to_date(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, FRANK, "kpi", {"period": "YTD"})
    with seeded_read_db.read() as session:
        expected = {k.key: k.value for k in kpi_report(session, FRANK, "2026-11", ytd=True).kpis}
    assert {k["key"]: k["value"] for k in out.data["kpis"]} == expected
    assert out.data["period"] == "2026-11 YTD" and str(expected["revenue"]) in out.summary


def test_unknown_kpi_is_fixable_with_candidates(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, FRANK, "kpi", {"kpi": "customer happiness"})
    failure = classify(err.value)
    assert failure.kind == "fixable" and failure.candidates


def test_forecast_of_an_account_named_in_words(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, FRANK, "forecast", {"subject": "travel", "months": 2})
    with seeded_read_db.read() as session:
        expected = forecast_account(session, FRANK, "6200", 2)
    assert out.data["subject"] == "account:6200"
    assert [p["value"] for p in out.data["forecast"]] == [p.value for p in expected.forecast]
    assert out.data["backtest_mape_pct"] == (expected.backtest.mape_pct if expected.backtest else None)


def test_forecast_of_nothing_known_lists_kpis_and_accounts(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, FRANK, "forecast", {"subject": "zorblax"})
    assert err.value.code is ErrorCode.UNKNOWN_NAME and len(err.value.candidates) >= 3


def test_anomaly_review_lists_the_planted_anomalies_with_reasons(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, acme("carol", "controller"), "anomaly_review", {"period": "this year"})
    with seeded_read_db.read() as session:
        planted = set(session.scalars(select(PlantedAnomaly.entry_id).where(PlantedAnomaly.tenant == "acme")))
    listed = {e["entry_id"] for e in out.data["entries"]}
    assert out.data["count"] >= 1 and listed & planted
    for entry in out.data["entries"]:
        assert entry["score"] >= 0.8 and entry["reasons"] and entry["date"].startswith("2026")
    again = run_tool(seeded_read_db, acme("alice", "accountant"), "anomaly_review", {"period": "this year",
                                                                                      "min_score": 0.95})
    assert {e["entry_id"] for e in again.data["entries"]} <= listed


def test_epm_refuses_a_role_the_registry_would_not_show(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, acme("sam", "sales_rep"), "kpi", {})
    assert classify(err.value).kind == "refused"
