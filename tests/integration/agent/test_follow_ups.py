"""Multi-turn conversations through the real agent graph: each follow-up is read as an edit of the thread's last
resolved query and runs the right tool with the right resolved arguments, without asking the model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from agent.backends.scripted import ScriptedChat
from agent.events import Done, Token, ToolCall, ToolResult
from agent.service import AgentTurns
from erp_core.db import Database
from erp_core.reports.balances import account_balance
from erp_core.reports.filters import ReportFilter
from erp_core.reports.statements import income_statement

from .conftest import ALICE, collect

MakeAgent = Callable[..., AgentTurns]
SENTENCE = "Here are the figures."


def _turn(agent: AgentTurns, message: str, thread: str) -> tuple[ToolCall | None, list[Any]]:
    events = collect(agent.run(ALICE, message, thread))
    assert isinstance(events[-1], Done), events[-1]
    calls = [e for e in events if isinstance(e, ToolCall)]
    results = [e for e in events if isinstance(e, ToolResult)]
    assert len(calls) <= 1 and all(r.ok for r in results), results
    return (calls[0] if calls else None), events


def _decisions(model: ScriptedChat) -> int:
    """How many times the model was asked to choose a tool (a decision is decoded under a JSON schema)."""
    return sum(1 for call in model.calls if call["kwargs"].get("json_schema"))


def _net_income(db: Database, start: dt.date, end: dt.date) -> str:
    with db.read() as session:
        return str(income_statement(ALICE, session, ReportFilter(end, start))["net_income"]["USD"])


def test_five_turns_about_net_income(make_agent: MakeAgent, demo_db: Database) -> None:
    model = ScriptedChat([{"tool": "income_statement", "args": {"period": "last quarter"}}, *[SENTENCE] * 12])
    agent = make_agent(model)
    thread = "t-follow-ups"

    call, _ = _turn(agent, "What was our net income last quarter?", thread)
    assert call is not None and (call.tool, call.args) == ("income_statement", {"period": "last quarter"})
    assert _decisions(model) == 1

    call, events = _turn(agent, "And the quarter before?", thread)
    assert call is not None and (call.tool, call.args) == ("income_statement", {"period": "Q2 2026"})
    q2 = _net_income(demo_db, dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert f"{Decimal(q2):,.2f}" in "".join(e.text for e in events if isinstance(e, Token))

    call, _ = _turn(agent, "Break that down by month", thread)
    assert call is not None and (call.tool, call.args) == ("breakdown", {"period": "Q2 2026", "by": "month"})

    call, _ = _turn(agent, "versus last year", thread)
    assert call is not None
    assert (call.tool, call.args) == ("period_comparison", {"period": "Q2 2026", "against": "previous_year"})

    call, events = _turn(agent, "What about travel?", thread)
    assert call is not None
    assert (call.tool, call.args) == ("period_comparison", {"period": "Q2 2026", "against": "previous_year",
                                                          "account": "travel"})
    result = next(e for e in events if isinstance(e, ToolResult))
    with demo_db.read() as session:
        travel = account_balance("6200", ALICE, session, ReportFilter(dt.date(2026, 6, 30), dt.date(2026, 4, 1)))
    assert f"{Decimal(travel['balance']):,.2f}" in result.summary
    # only the first turn asked the model for a tool; the follow-ups were read deterministically
    assert _decisions(model) == 1


def test_account_follow_ups_and_a_clarifying_question(make_agent: MakeAgent) -> None:
    model = ScriptedChat([{"tool": "account_activity", "args": {"account": "marketing", "period": "October"}},
                          *[SENTENCE] * 12])
    agent = make_agent(model)
    thread = "t-account-follow-ups"

    call, _ = _turn(agent, "How much did we spend on marketing in October?", thread)
    assert call is not None and call.tool == "account_activity"

    call, _ = _turn(agent, "What about September?", thread)
    assert call is not None
    assert (call.tool, call.args) == ("account_activity", {"account": "Marketing and Advertising",
                                                           "period": "September 2026"})

    call, _ = _turn(agent, "And travel in the same month?", thread)
    assert call is not None and (call.tool, call.args) == ("account_activity", {"account": "travel",
                                                                                "period": "September 2026"})

    call, events = _turn(agent, "Break that down", thread)
    assert call is None
    assert "".join(e.text for e in events if isinstance(e, Token)).strip() == "By month, by department or by account?"

    call, _ = _turn(agent, "by department", thread)
    assert call is not None and (call.tool, call.args) == ("breakdown", {"period": "September 2026",
                                                                         "account": "Travel Expense",
                                                                         "by": "department"})
    assert _decisions(model) == 1


def test_a_new_question_after_a_follow_up_is_routed_to_the_model(make_agent: MakeAgent) -> None:
    model = ScriptedChat([{"tool": "income_statement", "args": {"period": "last quarter"}},
                          {"tool": "trial_balance", "args": {}}, *[SENTENCE] * 6])
    agent = make_agent(model, answer_style="composed")  # the model is asked only for decisions
    _turn(agent, "What was our net income last quarter?", "t-new-question")
    call, _ = _turn(agent, "Show me the trial balance as of the end of October", "t-new-question")
    assert call is not None and call.tool == "trial_balance"
    assert _decisions(model) == 2
