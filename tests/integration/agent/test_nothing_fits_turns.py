"""Honest when nothing fits: a request no tool can serve is declined through the real router (MiniLM, the tool
catalogue, agent/out_of_scope.yaml) without calling a tool or the model; in-scope and policy requests are not."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agent.backends.scripted import ScriptedChat
from agent.events import Done, Suggestions, Token, ToolCall
from agent.service import AgentTurns
from erp_core.errors import ErrorCode, NexusError
from tools.catalog import load_all

from .conftest import _LOOP, ALICE, EVE, collect

MakeAgent = Callable[..., AgentTurns]


def test_a_request_no_tool_can_serve_is_declined_with_suggestions(make_agent: MakeAgent) -> None:
    model = ScriptedChat([])  # any model call would fail the turn: a decline needs none
    agent = make_agent(model)
    events = collect(agent.run(EVE, "Book me a flight to Chicago for next Tuesday", "t-decline"))
    assert not model.calls and not any(isinstance(e, ToolCall) for e in events)
    text = "".join(e.text for e in events if isinstance(e, Token))
    assert text.startswith("I can't book travel")
    chips = [e for e in events if isinstance(e, Suggestions)]
    assert len(chips) == 1 and 1 <= len(chips[0].items) <= 3
    readable = {e for spec in load_all().for_actor(EVE) if not spec.proposes for e in spec.examples}
    assert set(chips[0].items) <= readable  # things eve can ask, never a draft
    done = events[-1]
    assert isinstance(done, Done) and done.extra["tools"] == []

    async def answer() -> str:
        state = (await (await agent.graph()).aget_state(agent._config(EVE, "t-decline"))).values
        return str(state["answer"])

    kept = _LOOP.run_until_complete(answer())
    assert kept.startswith(text) and all(item in kept for item in chips[0].items)  # the thread keeps what was shown


def test_in_scope_and_policy_requests_are_not_declined(make_agent: MakeAgent) -> None:
    model = ScriptedChat([{"tool": "account_balance", "args": {"account": "rent"}}])
    events = collect(make_agent(model).run(ALICE, "What is the balance of the rent expense account?", "t-fits"))
    assert any(isinstance(e, ToolCall) and e.tool == "account_balance" for e in events)
    assert not "".join(e.text for e in events if isinstance(e, Token)).startswith("I can't")

    for n, question in enumerate(("Am I allowed to approve my own purchase order?",  # a proposal tool is close
                                  "What is our policy on working from abroad?")):  # loosely matched: no answer
        policy = ScriptedChat([{"tool": "search_documents", "args": {"query": question}}])
        with pytest.raises(NexusError) as no_store:  # this agent has no document store: the search cannot run
            collect(make_agent(policy).run(EVE, question, f"t-policy-{n}"))
        assert no_store.value.code is ErrorCode.STORE_UNAVAILABLE
        offered = [o["properties"]["tool"]["const"] for o in policy.calls[0]["kwargs"]["json_schema"]["anyOf"]]
        assert offered == ["search_documents"], question  # document search alone: no ledger tool, no own answer
