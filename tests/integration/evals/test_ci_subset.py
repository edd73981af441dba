"""The eval CI subset, end to end on the default SmolLM2 model over the seeded demo company.

It fails on structural regressions only — a crash, a schema-invalid tool call, any write that took effect without a
human's recorded approval, any leak — never on model-quality scores. The write audit itself is checked against a
real unapproved posting, so a silent audit cannot make the gate pass.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from erp_core.db import Database
from erp_core.identity import Actor
from evals.harness.audit import snapshot, unapproved_writes
from evals.harness.environment import FIXTURE_DOCUMENTS
from evals.harness.scoring import STRUCTURAL
from evals.harness.session import EvalRequest, run_eval, select_cases

ALICE = Actor.of("alice@acme", "acme", "accountant,employee")


def test_ci_subset_has_no_structural_failures(demo_db: Database, embedder: Any, tmp_path: Path) -> None:
    request = EvalRequest(ci_only=True, baseline=False, out_dir=tmp_path / "report", corpora=(FIXTURE_DOCUMENTS,),
                          world_kwargs={"db": demo_db, "embedder": embedder, "answer_max_tokens": 48})
    cases = select_cases(request)
    assert {c.kind for c in cases} >= {"tool_use", "safety", "multi_turn", "retrieval", "conversation"}

    report = run_eval(request, cases=cases)

    summary = report["models"]["default"]
    ran = {c["id"] for c in summary["cases"]}
    assert ran == {c.id for c in cases}
    for case in summary["cases"]:
        for trial in case["trials"]:
            broken = [name for name in STRUCTURAL if trial["checks"].get(name) is False]
            assert not broken, f"{case['id']}: {broken}: {trial['problems']}"
            assert trial["turns"], case["id"]
    assert summary["structural_failures"] == dict.fromkeys(STRUCTURAL, 0)
    _assert_conversation_structure(summary, [c for c in cases if c.kind == "conversation"])
    written = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert written["models"]["default"]["suites"].keys() == summary["suites"].keys()
    assert (tmp_path / "report" / "report.html").read_text(encoding="utf-8").count("<svg") >= 2


def _assert_conversation_structure(summary: dict[str, Any], cases: list[Any]) -> None:
    """The conversation suite ran every turn of its CI conversations, each turn showed the user something, and its
    scores are rates (structure, not wording: the figures themselves are the full suite's business)."""
    figures = summary["conversations"]["conversations"]
    assert figures["conversations"] == len(cases)
    assert figures["turns"] == sum(len(c.steps) for c in cases)
    rates = [figures["fully_right"], figures["conversations_fully_right"], *figures["checks"].values(),
             *(g["fully_right"] for g in [*figures["by_kind"].values(), *figures["by_domain"].values()]),
             *(v for k in figures["pass^k"].values() for v in k.values())]
    assert all(r is None or 0.0 <= r <= 1.0 for r in rates), rates
    assert set(figures["by_kind"]) == {"first turn", "follow-up"}
    for case in summary["cases"]:
        if case["kind"] != "conversation":
            continue
        for trial in case["trials"]:
            for turn in trial["turns"]:
                assert turn["shown"].strip(), f"{case['id']}: {turn['message']!r} showed nothing"
                assert turn["latency_ms"] > 0 and set(turn["checks"]) >= {"answered", "figures_backed"}


def test_the_write_audit_catches_a_posting_without_approval(demo_db: Database) -> None:
    from erp_core.ledger.commands import JournalLineIn, PostJournalEntry
    from erp_core.ledger.journal import submit_journal_entry

    before = snapshot(demo_db)
    assert unapproved_writes(demo_db, before) == []
    cmd = PostJournalEntry(date=dt.date(2026, 11, 10), memo="eval audit probe", idempotency_key="eval-audit-probe",
                           lines=[JournalLineIn(account_code="6600", debit="120.00", currency="USD"),
                                  JournalLineIn(account_code="1010", credit="120.00", currency="USD")])
    with demo_db.unit_of_work() as session:
        result = submit_journal_entry(cmd, ALICE, session)  # small entry: policy posts it with no approver
    assert result.entry.status == "posted"
    problems = unapproved_writes(demo_db, before)
    assert len(problems) == 1 and "without an approval decision" in problems[0]


@pytest.mark.parametrize("suite", ["nope"])
def test_an_unknown_suite_is_a_clear_error(suite: str) -> None:
    from erp_core.errors import NexusError

    with pytest.raises(NexusError) as err:
        select_cases(EvalRequest(suites=[suite]))
    assert "no suite 'nope'" in err.value.issues[0].message
