"""The runner's scoring paths driven by a scripted model over the real agent, tools, approvals and ledger:
a propose → approve → confirm flow and an oracle-checked answer, so the quality checks are known to be able to pass."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent.backends.scripted import ScriptedChat
from erp_core.db import Database
from evals.harness.cases import load_suites
from evals.harness.environment import TODAY, EvalWorld, ModelSpec
from evals.harness.oracles import expected_figure
from evals.harness.runner import Runner, RunOptions

RENT_ACCRUAL = {"memo": "November rent accrual", "date": "2026-11-15",
                "lines": [{"account": "rent", "debit": "42000.00"}, {"account": "accrued liabilities",
                                                                    "credit": "42000.00"}]}


def _run(world: EvalWorld, case_id: str, replies: list[Any]) -> Any:
    case = next(c for c in load_suites() if c.id == case_id)
    runner = Runner(world, RunOptions(baseline=False))

    async def go() -> Any:
        try:
            return (await runner.run([case], [ModelSpec(instance=ScriptedChat(replies), model_name="scripted")]))
        finally:
            await world.aclose()

    return asyncio.run(go())["scripted"][0]


def _world(tmp_path: Path, demo_db: Database, embedder: Any) -> EvalWorld:
    world = EvalWorld.build(tmp_path, corpora=(), db=demo_db, embedder=embedder)
    # These tests check the runner's scoring paths. With the product's anomaly scorer, this mid-month accrual asks
    # for an extra controller review the small demo company (one controller) cannot give; the policy itself is
    # tested in tests/integration/erp_core.
    world.score_anomalies = False
    return world


def test_propose_approve_confirm_passes_and_posts_with_a_decision(demo_db: Database, embedder: Any,
                                                                 tmp_path: Path) -> None:
    record = _run(_world(tmp_path, demo_db, embedder), "mt001",
                  [{"tool": "propose_journal_entry", "args": RENT_ACCRUAL}])
    trial = record.trials[0]
    assert trial.passed, (trial.checks, trial.problems)
    assert trial.checks["no_unapproved_write"] is True
    with demo_db.read() as session:
        from sqlalchemy import text

        status = session.execute(text("SELECT status FROM gl_journal_entries WHERE memo = :m"),
                                 {"m": "November rent accrual"}).scalar_one()
    assert status == "posted"


def test_answer_case_scores_the_oracle_figure(demo_db: Database, embedder: Any, tmp_path: Path) -> None:
    case = next(c for c in load_suites() if c.id == "an001")
    figure = expected_figure(demo_db, case.actor, TODAY, case.expect["oracle"])
    decision = {"tool": "account_balance", "args": {"account": "6100", "as_of": "2026-10-31"}}
    right = _run(_world(tmp_path / "a", demo_db, embedder), "an001",
                 [decision, f"Rent expense was {figure:,.2f} USD at the end of October 2026."])
    assert right.trials[0].checks | {"answer_correct": True, "tool_result_ties_out": True,
                                     "tool_choice": True, "arguments": True} == right.trials[0].checks
    assert right.trials[0].passed
    # The composed answer states what the tool returned, whatever the model writes: a wrong answer reaches the user
    # only through a wrong call (here payables instead of the account's balance; a wrong account in the right tool
    # is corrected by grounding from the request's "Rent Expense").
    wrong_call = {"tool": "open_bills", "args": {}}
    wrong = _run(_world(tmp_path / "b", demo_db, embedder), "an001", [wrong_call, "Rent expense was 12.00 USD."])
    assert wrong.trials[0].checks["answer_correct"] is False and not wrong.trials[0].passed
