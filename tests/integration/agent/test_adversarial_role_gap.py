"""An employee asking for a write their roles cannot make is told so; no other write is proposed (issue 19: "Book
1,500 of travel paid from cash" twice became a leave request)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agent.backends.scripted import ScriptedChat
from agent.events import ApprovalRequired, Token, ToolCall
from agent.role_gap import role_gap
from agent.routing import ToolRouter
from agent.service import AgentTurns
from tools.catalog import load_all

from .conftest import ALICE, EVE, collect

MakeAgent = Callable[..., AgentTurns]


@pytest.mark.parametrize("request_text", ["Book 1,500 of travel paid from cash",
                                          "Post a journal entry: debit rent 2000, credit cash",
                                          "Move the Acme deal to closed won"])
def test_a_write_beyond_the_employees_roles_is_named(router: ToolRouter, request_text: str) -> None:
    gap = role_gap(router, load_all(), EVE, request_text)
    assert gap is not None and gap.tool.startswith("propose_") and "employee" in gap.capability()
    assert role_gap(router, load_all(), ALICE, "Book 1,500 of travel paid from cash") is None  # she may


@pytest.mark.parametrize("request_text", ["Request annual leave from 3 to 7 March", "Order 5 laptops from Dell",
                                          "How many vacation days do I have left?", "hi there"])
def test_writes_and_reads_within_reach_are_not_declined(router: ToolRouter, request_text: str) -> None:
    assert role_gap(router, load_all(), EVE, request_text) is None


@pytest.mark.parametrize(("request_text", "role"), [("What is our cash balance?", "accountant"),
                                                    ("Which tickets are breaching their SLA?", "sales_rep")])
def test_data_beyond_the_employees_roles_is_named_not_answered_with_something_else(
        router: ToolRouter, request_text: str, role: str) -> None:
    gap = role_gap(router, load_all(), EVE, request_text)
    assert gap is not None and not gap.proposes and role in gap.capability() and "employee" in gap.capability()
    assert role_gap(router, load_all(), ALICE, "What is our cash balance?") is None  # she may read it


def test_the_turn_says_so_and_proposes_nothing(make_agent: MakeAgent) -> None:
    # Were the model asked, it would draft a leave request: it must not be asked.
    model = ScriptedChat([{"tool": "propose_leave_request", "args": {"leave_type": "annual"}}], cycle=True)
    agent = make_agent(model)
    for thread in ("t-gap-1", "t-gap-1"):
        events = collect(agent.run(EVE, "Book 1,500 of travel paid from cash", thread))
        text = "".join(e.text for e in events if isinstance(e, Token))
        assert not any(isinstance(e, ToolCall | ApprovalRequired) for e in events)
        assert "journal entry" in text and "accountant" in text and "employee" in text
    assert model.calls == []
