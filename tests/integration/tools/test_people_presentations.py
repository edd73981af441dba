"""CRM, HR and service desk presentations on the seeded company: the headline states the services' own figures,
formatted for people, and lists come as tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from erp_core.crm.queries import account_360, pipeline
from erp_core.db import Database
from erp_core.hr.queries import headcount_at, leave_balance_for
from erp_core.resolve.people import resolve_employee
from erp_core.servicedesk.queries import sla_breach_report
from tests.integration.tools.conftest import TODAY, acme, run_tool
from tools.formatting import amount, count, money

MARIA, HANA = acme("maria", "sales_manager"), acme("hana", "hr")


def test_pipeline_headline_totals_the_services_rows(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "pipeline", {})
    with seeded_read_db.read() as session:
        rows = pipeline(session, MARIA, "stage")
    total = sum((Decimal(r.amount) for r in rows), Decimal(0))
    assert out.presentation is not None
    assert out.presentation.headline.startswith(
        f"Open pipeline: {count(sum(r.count for r in rows))} deals worth {money(total, rows[0].currency)}")
    (table,) = out.presentation.tables
    assert [r[0] for r in table.rows] == [r.key for r in rows]
    assert out.query == {"by": "stage"}


def test_account_360_headline(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "account_360", {"customer": "Northwind"})
    with seeded_read_db.read() as session:
        view = account_360(session, MARIA, 1, dt.datetime(2026, 11, 16, 12, tzinfo=dt.UTC))
    assert out.presentation is not None
    assert money(view.open_pipeline, view.currency) in out.presentation.headline
    assert money(view.lifetime_won, view.currency) in out.presentation.headline
    assert out.query == {"customer": "C0001"}


def test_leave_balance_and_headcount(seeded_read_db: Database) -> None:
    eve = acme("eve")
    out = run_tool(seeded_read_db, eve, "leave_balance", {})
    with seeded_read_db.read() as session:
        view = leave_balance_for(session, eve, resolve_employee(session, eve, "me").id, TODAY, "annual")
        eng = headcount_at(session, "acme", TODAY.replace(day=30), "ENG")
    assert out.presentation is not None
    assert out.presentation.headline.startswith(f"{view.employee_name} has {amount(view.balance)} days of annual "
                                                f"leave available as of 16 November 2026")
    heads = run_tool(seeded_read_db, HANA, "headcount", {"department": "engineering"})
    assert heads.presentation is not None
    assert heads.presentation.headline == f"Headcount of ENG at the end of November 2026: {count(eng)}."


def test_sla_headline_and_table(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "sla_breaches", {"period": "October 2026"})
    with seeded_read_db.read() as session:
        report = sla_breach_report(session, MARIA, dt.date(2026, 10, 1), dt.date(2026, 10, 31),
                                   dt.datetime(2026, 10, 31, 23, 59, 59, 999999, tzinfo=dt.UTC))
    assert out.presentation is not None
    assert out.presentation.headline.startswith(
        f"SLA in October 2026: {report.total_breached} of {report.total_tickets} tickets opened breached")
    *overdue, table = out.presentation.tables
    assert [(r[0], r[1], r[2]) for r in table.rows] == [(r.priority, str(r.tickets), str(r.breached))
                                                      for r in report.rows]
    assert [row[0] for table in overdue for row in table.rows] == [t.number for t in report.worst_open_breaches]


def test_breaching_now_lists_every_open_ticket_past_its_sla(seeded_read_db: Database) -> None:
    """Asked without a period ("which tickets are breaching their SLA?"): the open tickets past their SLA now,
    whichever month they were opened in, lead the answer."""
    out = run_tool(seeded_read_db, MARIA, "sla_breaches", {})
    with seeded_read_db.read() as session:
        report = sla_breach_report(session, MARIA, dt.date(2026, 11, 1), dt.date(2026, 11, 30),
                                   dt.datetime(2026, 11, 16, 23, 59, 59, 999999, tzinfo=dt.UTC), any_open=True)
    assert report.open_breached_total > 0 and report.total_tickets < report.open_breached_total
    assert out.presentation is not None
    assert out.presentation.headline.startswith(f"{report.open_breached_total} open tickets are past their SLA now")
    assert out.data["open_breached_total"] == report.open_breached_total
    listed = out.presentation.tables[0]
    assert [row[0] for row in listed.rows] == [t.number for t in report.worst_open_breaches]
