"""The conversation scoring path over the real agent (built by the server's ``build_agent``), tools and ledger, with a
scripted model choosing the tool: a right choice shows the oracle's figure and passes, a wrong one fails on the
figure, so the checks are known to be able to pass and to fail."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent.backends.scripted import ScriptedChat
from agent.service import AgentTurns
from erp_core.db import Database
from evals.harness.cases import Case, Step, demo_actor
from evals.harness.environment import EvalWorld, ModelSpec
from evals.harness.runner import CaseRecord, Runner, RunOptions

REVENUE_Q3 = {"name": "income_statement", "period": "Q3 2026", "field": "revenue"}


def _case() -> Case:
    return Case(id="cv-test", suite="conversations", kind="conversation", actor=demo_actor("frank"), domain="gl",
                steps=(Step(say="What was our revenue last quarter?", expect={"figures": [REVENUE_Q3]}),))


def _run(tmp_path: Path, demo_db: Database, embedder: Any, decision: dict[str, Any]) -> CaseRecord:
    world = EvalWorld.build(tmp_path, corpora=(), db=demo_db, embedder=embedder)
    runner = Runner(world, RunOptions(baseline=False))

    async def go() -> CaseRecord:
        try:
            spec = ModelSpec(instance=ScriptedChat([decision, "That is the figure."], cycle=True), model_name="s")
            return (await runner.run([_case()], [spec]))["s"][0]
        finally:
            await world.aclose()

    return asyncio.run(go())


def test_a_right_tool_choice_shows_the_oracle_figure_and_passes(tmp_path: Path, demo_db: Database,
                                                                 embedder: Any) -> None:
    record = _run(tmp_path, demo_db, embedder, {"tool": "income_statement", "args": {"period": "Q3 2026"}})
    trial = record.trials[0]
    turn = trial.turns[0]
    assert turn["checks"]["figures_shown"] is True, turn["shown"]
    assert turn["checks"]["figures_backed"] is True, turn["unbacked"]
    assert turn["passed"] and trial.passed, (turn["checks"], trial.problems)
    assert turn["expected"][0]["value"] and turn["domain"] == "gl" and turn["follow_up"] is False


def test_a_wrong_tool_choice_fails_on_the_figure(tmp_path: Path, demo_db: Database, embedder: Any) -> None:
    record = _run(tmp_path, demo_db, embedder, {"tool": "account_balance", "args": {"account": "1010"}})
    turn = record.trials[0].turns[0]
    assert turn["checks"]["figures_shown"] is False and not record.trials[0].passed
    assert turn["missing"] == ["income_statement(period='Q3 2026', field='revenue')"]


def test_the_harness_agent_is_the_one_the_server_wiring_builds(tmp_path: Path, demo_db: Database,
                                                               embedder: Any) -> None:
    world = EvalWorld.build(tmp_path, corpora=(), db=demo_db, embedder=embedder)
    try:
        agent = world.agent(ScriptedChat(["hi"]), name="wiring")
        assert isinstance(agent, AgentTurns)
        assert agent._scorer is not None and agent._graph_store is not None
        assert agent._settings.today == world.settings.business_date
        assert agent._settings.answer_style == world.settings.answer_style
    finally:
        asyncio.run(world.aclose())
