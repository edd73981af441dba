"""The analysis tools over the seeded demo company: what a person reads states the erp_core reports' figures, and
each tool reports its resolved arguments for follow-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from erp_core.db import Database
from erp_core.errors import NexusError
from erp_core.reports.breakdowns import breakdown
from erp_core.reports.filters import ReportFilter
from erp_core.reports.statements import income_statement
from tools.formatting import amount

from .conftest import acme, run_tool

ALICE = acme("alice", "accountant")
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def _money(value: str) -> str:
    return f"{amount(value, 'USD')} USD"


def test_pl_by_month_states_the_totals_and_draws_a_series(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, ALICE, "breakdown", {"by": "month", "period": "Q3"})
    with seeded_read_db.read() as session:
        statement = income_statement(ALICE, session, ReportFilter(Q3[1], Q3[0]))
        months = breakdown(ALICE, session, *Q3, "month")["rows"]
    assert out.presentation is not None
    assert _money(statement["net_income"]["USD"]) in out.presentation.headline
    assert _money(statement["total_revenue"]["USD"]) in out.presentation.headline
    (table,) = out.presentation.tables
    assert [row[0] for row in table.rows] == ["July 2026", "August 2026", "September 2026"]
    assert table.series is not None
    assert [Decimal(v) for _, v in table.series.points] == [Decimal(m["net_income"]) for m in months]
    assert out.query == {"period": {"start": "2026-07-01", "end": "2026-09-30", "label": "Q3 2026"}, "by": "month"}


def test_a_ranking_and_its_query(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, ALICE, "ranking", {"what": "entries", "account": "travel", "period": "October",
                                                       "limit": 3})
    rows = out.data["rows"]
    assert out.presentation is not None and _money(rows[0]["amount"]) in out.presentation.headline
    assert len(out.presentation.tables[0].rows) == 3
    assert out.query is not None and out.query["account"] == "Travel Expense" and out.query["what"] == "entries"


def test_a_period_comparison_and_one_against_budget(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, ALICE, "period_comparison", {"period": "Q3", "against": "previous_year"})
    assert out.presentation is not None
    for row in out.data["rows"]:
        assert _money(row["current"]) in out.presentation.headline
        assert _money(row["previous"]) in out.presentation.headline
    assert "Q3 2025" in out.presentation.tables[0].columns[2]
    budget = run_tool(seeded_read_db, ALICE, "period_comparison", {"period": "Q3", "against": "budget",
                                                                    "account": "travel"})
    (row,) = budget.data["rows"]
    assert budget.presentation is not None
    assert _money(row["actual"]) in budget.presentation.headline and _money(row["budget"]) in \
        budget.presentation.headline
    assert budget.query is not None and budget.query["against"] == "budget"


def test_unknown_names_are_model_fixable(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as caught:
        run_tool(seeded_read_db, ALICE, "breakdown", {"by": "month", "account": "zzz unknown"})
    assert caught.value.candidates
