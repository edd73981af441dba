"""A company brought in from files (issue 17) is one the assistant can talk about straight away: the test writes a
small company's files, imports them with the ``nexus`` commands, and asks about its accounts, vendors, customers
and people through the real agent graph (scripted model: it names things loosely, as a user would)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.backends.scripted import ScriptedChat
from agent.checkpoints import open_checkpointer
from agent.config import AgentSettings
from agent.events import Done, Token, ToolCall, ToolResult
from agent.routing import ToolRouter
from agent.service import AgentTurns
from cli import app
from erp_core.db import Database
from erp_core.identity import Actor
from tools.catalog import load_all

from .conftest import _LOOP, collect

TENANT = "bikes"
FILES = {
    "accounts.csv": "code,name,type,parent\n1000,Assets,asset,\n1010,Cash at Bank,asset,1000\n"
                    "2000,Liabilities,liability,\n2010,Trade Payables,liability,2000\n3000,Equity,equity,\n"
                    "3010,Owner Capital,equity,3000\n4000,Revenue,revenue,\n4010,Bike Sales,revenue,4000\n"
                    "6000,Expenses,expense,\n6100,Workshop Rent,expense,6000\n6200,Spare Parts,expense,6000\n",
    "customers.csv": "code,name,segment,industry,country\nC100,Velo Club Zurich,smb,Sports,CH\n"
                     "C200,Pedal Partners,mid_market,Retail,DE\n",
    "vendors.csv": "code,name,payment_terms_days\nV100,Shimano Parts Europe,30\nV200,Brooks Saddles,45\n",
    "employees.csv": "employee_no,first_name,last_name,department,manager,title,roles\n"
                     "E1,Bea,Rider,EXEC,,Owner,cfo\nE2,Lena Marie,Fischer,WORKSHOP,E1,Head Mechanic,\n"
                     "E3,Tom,Spoke,WORKSHOP,E2,Mechanic,\n",
    "journal.csv": "date,entry,account_code,debit,credit,currency,memo\n"
                   "2026-09-01,J1,1010,40000.00,,CHF,Owner investment\n"
                   "2026-09-01,J1,3010,,40000.00,CHF,Owner investment\n"
                   "2026-10-01,J2,6100,2750.00,,CHF,October workshop rent\n"
                   "2026-10-01,J2,1010,,2750.00,CHF,October workshop rent\n"
                   "2026-10-07,J3,6200,830.40,,CHF,Brake pads from Shimano\n"
                   "2026-10-07,J3,2010,,830.40,CHF,Brake pads from Shimano\n",
}


@pytest.fixture()
def company(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'bikes.db'}"
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    runner = CliRunner()
    db_opt = ["--database-url", url]

    def nexus(*args: str) -> str:
        result = runner.invoke(app, [*args, *db_opt])
        assert result.exit_code == 0, result.output
        return result.output

    nexus("tenant", "create", TENANT, "--name", "Bea's Bikes", "--currency", "CHF")
    assert TENANT in nexus("tenant", "list")
    nexus("import", "accounts", str(tmp_path / "accounts.csv"), "--tenant", TENANT, "--no-sync-graph")
    for kind in ("customers", "vendors", "employees"):
        nexus("import", kind, str(tmp_path / f"{kind}.csv"), "--tenant", TENANT, "--no-sync-graph")
    out = nexus("import", "journal", str(tmp_path / "journal.csv"), "--tenant", TENANT, "--approve-as",
                f"bea@{TENANT}", "--approver-roles", "cfo")
    assert "3 entries (3 posted, 0 unchanged)" in out
    db = Database(url)
    yield db
    db.dispose()


def _ask(db: Database, router: ToolRouter, tmp_path: Path, actor: Actor, question: str,
         decision: dict[str, Any]) -> tuple[ToolCall, ToolResult, str]:
    agent = AgentTurns(model=lambda: ScriptedChat([decision, *["Done."] * 4]), db=db, registry=load_all(),
                       router=lambda: router, checkpointer=lambda: open_checkpointer(None, tmp_path / "cp.db"),
                       settings=AgentSettings(today=dt.date(2026, 10, 20)))
    try:
        events = collect(agent.run(actor, question, f"t-{decision['tool']}"))
    finally:
        _LOOP.run_until_complete(agent.aclose())
    assert isinstance(events[-1], Done), events[-1]
    (call,) = [e for e in events if isinstance(e, ToolCall)]
    (result,) = [e for e in events if isinstance(e, ToolResult)]
    return call, result, "".join(e.text for e in events if isinstance(e, Token))


def test_the_assistant_knows_the_imported_company(company: Database, router: ToolRouter, tmp_path: Path) -> None:
    bea = Actor.of(f"bea@{TENANT}", TENANT, "cfo,controller,employee")

    call, result, text = _ask(company, router, tmp_path, bea, "What is on the workshop rent account?",
                              {"tool": "account_balance", "args": {"account": "workshop rent"}})
    assert call.tool == "account_balance" and result.ok, result.summary
    assert "2,750.00" in text + result.summary

    tom = Actor.of(f"tom.spoke@{TENANT}", TENANT, "employee")  # the user id the employee import gave him
    call, result, text = _ask(company, router, tmp_path, tom, "Order 4 brake sets at 45 each from Shimano",
                              {"tool": "propose_purchase_order", "args": {
                                  "vendor": "shimano", "description": "Brake sets for the workshop",
                                  "department": "workshop", "lines": [{"description": "brake set", "quantity": 4,
                                                                       "unit_price": "45.00",
                                                                       "account": "spare parts"}]}})
    assert call.tool == "propose_purchase_order" and result.ok, result.summary
    assert "Shimano Parts Europe" in text + result.summary

    call, result, text = _ask(company, router, tmp_path, bea, "Tell me about Velo Club",
                              {"tool": "account_360", "args": {"customer": "velo club"}})
    assert call.tool == "account_360" and result.ok, result.summary
    assert "Velo Club Zurich" in text + result.summary

    call, result, text = _ask(company, router, tmp_path, bea, "Who does Tom Spoke report to?",
                              {"tool": "reporting_chain", "args": {"person": "tom spoke"}})
    assert call.tool == "reporting_chain" and result.ok, result.summary
    assert "Lena Marie Fischer" in text + result.summary and "Bea Rider" in text + result.summary
