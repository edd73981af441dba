"""Service desk tools on the seeded company: a ticket by number, filtered lists, and the SLA report's figures."""

from __future__ import annotations

import datetime as dt

import pytest

from erp_core.db import Database
from erp_core.errors import ErrorCode, NexusError
from erp_core.servicedesk.queries import sla_breach_report
from tests.integration.tools.conftest import acme, run_tool

MARIA = acme("maria", "sales_manager")


def test_ticket_by_number(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "ticket_lookup", {"ticket": "TCK-95"})
    assert out.data["number"] == "TCK-000095" and out.data["status"] in out.summary


def test_ticket_lists_filter_by_customer_status_and_priority(seeded_read_db: Database) -> None:
    northwind = run_tool(seeded_read_db, MARIA, "ticket_lookup", {"customer": "Northwind"})
    assert northwind.data["count"] > 0 and {t["account_id"] for t in northwind.data["tickets"]} == {1}
    urgent_closed = run_tool(seeded_read_db, MARIA, "ticket_lookup", {"status": "closed", "priority": "urgent"})
    assert urgent_closed.data["tickets"] and len(urgent_closed.data["tickets"]) <= 15
    assert all(t["status"] == "closed" and t["priority"] == "urgent" for t in urgent_closed.data["tickets"])


def test_unknown_ticket_is_fixable(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, MARIA, "ticket_lookup", {"ticket": "TCK-999999"})
    assert err.value.code is ErrorCode.NOT_FOUND


def test_sla_breaches_match_the_report(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, MARIA, "sla_breaches", {"period": "last month"})
    with seeded_read_db.read() as session:
        expected = sla_breach_report(session, MARIA, dt.date(2026, 10, 1), dt.date(2026, 10, 31),
                                     dt.datetime(2026, 10, 31, 23, 59, 59, 999999, tzinfo=dt.UTC))
    assert out.data["total_tickets"] == expected.total_tickets > 0
    assert out.data["total_breached"] == expected.total_breached
    assert [r["breached"] for r in out.data["rows"]] == [r.breached for r in expected.rows]
    assert f"{expected.total_breached} of {expected.total_tickets}" in out.summary
