"""Case loading, scoring, leak detection and the baseline's JSON reading, on hand-made inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from erp_core.errors import NexusError
from erp_core.identity import Actor
from evals.harness.audit import LeakCheck
from evals.harness.baseline import first_json_object
from evals.harness.cases import DATASETS, load_suites
from evals.harness.scoring import case_passes, schema_problems, step_checks, tool_checks
from evals.harness.transcript import Turn
from tools.catalog import load_all

ALICE = Actor.of("alice@acme", "acme", "accountant,employee")
EVE = Actor.of("eve@acme", "acme", "employee")


def test_the_shipped_suites_load_and_meet_the_issue_counts() -> None:
    cases = load_suites()
    by_suite: dict[str, int] = {}
    for case in cases:
        by_suite[case.suite] = by_suite.get(case.suite, 0) + 1
    assert len(cases) >= 150
    assert by_suite["safety"] >= 40
    assert by_suite["tool_use"] + by_suite["answers"] >= 100
    assert {"tool_use", "answers", "retrieval", "safety", "multi_turn"} <= set(by_suite)
    assert all(case.expect.get("oracle", {}).get("name") for case in cases if case.kind == "answer")
    assert any(case.ci for case in cases)


def test_every_expected_tool_exists() -> None:
    registry = load_all()
    for case in load_suites(DATASETS):
        tools = [*case.expect.get("tools", []), *(t for s in case.steps for t in s.expect.get("tools", []))]
        assert all(t == "answer" or t in registry for t in tools), case.id


def test_bad_cases_are_reported_all_at_once(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "suite: answers\nkind: answer\ncases:\n  - {id: a1, message: hi}\n  - {message: no id, expect: {oracle: {}}}\n",
        encoding="utf-8")
    with pytest.raises(NexusError) as err:
        load_suites(tmp_path)
    codes = {issue.code for issue in err.value.issues}
    assert {"missing_oracle", "missing_id"} <= codes


def test_unknown_suite_and_duplicate_ids_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("suite: s\nkind: safety\ncases:\n  - {id: x, message: hi}\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "x", "kind": "safety", "message": "hi"}\n', encoding="utf-8")
    with pytest.raises(NexusError):
        load_suites(tmp_path)
    (tmp_path / "b.jsonl").unlink()
    with pytest.raises(NexusError):
        load_suites(tmp_path, ["nope"])
    assert [c.id for c in load_suites(tmp_path, ["s"])] == ["x"]


def _turn(message: str = "q", **kw: object) -> Turn:
    return Turn(message=message, **kw)  # type: ignore[arg-type]


def test_tool_checks_score_the_first_call_and_its_key_arguments() -> None:
    turn = _turn(tool_calls=[{"id": "1", "tool": "account_balance", "args": {"account": "Rent Expense"}}])
    assert tool_checks({"tools": ["account_balance"], "args": {"account": ["rent", "6100"]}}, turn) == {
        "tool_choice": True, "arguments": True}
    assert tool_checks({"tools": ["trial_balance"], "args": {"as_of": "x"}}, turn) == {
        "tool_choice": False, "arguments": False}
    assert tool_checks({"tools": ["answer"]}, _turn()) == {"tool_choice": True}


def test_schema_problems_catch_unknown_forbidden_and_malformed_calls() -> None:
    registry = load_all()
    ok = _turn(tool_calls=[{"id": "1", "tool": "account_balance", "args": {"account": "rent"}}])
    assert schema_problems([ok], registry, ALICE) == []
    bad = _turn(tool_calls=[{"id": "1", "tool": "post_everything", "args": {}},
                            {"id": "2", "tool": "trial_balance", "args": {}},
                            {"id": "3", "tool": "account_balance", "args": {"account": 5}}])
    problems = schema_problems([bad], registry, EVE)
    assert any("unknown tool" in p for p in problems)
    assert any("not permitted" in p for p in problems)
    assert any("outside schema" in p for p in problems)
    # An empty string where the schema says minLength 1 is a value error pydantic returns to the model, not a
    # malformed call: the decoding grammar does not carry length bounds.
    empty = _turn(tool_calls=[{"id": "1", "tool": "journal_entry", "args": {"entry_id": ""}}])
    assert schema_problems([empty], registry, ALICE) == []


def test_structural_failures_fail_every_kind() -> None:
    case = next(c for c in load_suites() if c.kind == "safety")
    assert case_passes(case, {"no_crash": True, "schema_valid": True, "no_unapproved_write": True, "no_leak": True})
    assert not case_passes(case, {"no_crash": True, "schema_valid": True, "no_unapproved_write": False,
                                  "no_leak": True})


def test_step_checks_for_a_multi_turn_flow() -> None:
    case = next(c for c in load_suites() if c.id == "mt001")
    proposal = _turn(tool_calls=[{"id": "1", "tool": "propose_journal_entry", "args": {}}],
                     approvals=[{"approval_id": "a1", "payload_hash": "h", "approvers": ["controller"]}])
    assert all(step_checks(case.steps[0], proposal, "pending").values())
    confirmation = _turn(answer="Approved by carol@acme: journal entry is done (posted).")
    assert all(step_checks(case.steps[-1], confirmation, "approved").values())
    assert not all(step_checks(case.steps[-1], confirmation, "pending").values())


def test_leaks_other_tenant_names_and_out_of_scope_citations() -> None:
    check = LeakCheck({"acme-hr": ("acme", frozenset({"hr"})), "globex-doc": ("globex", frozenset({"all"})),
                       "acme-all": ("acme", frozenset({"all"}))})
    clean = _turn(answer="Rent is 42,000.00", citations=[{"doc_id": "acme-all", "title": "t", "snippet": "s"}])
    assert check.leaks(EVE, clean) == []
    leaky = _turn(answer="Klaus Brandt is the CEO", citations=[
        {"doc_id": "acme-hr", "title": "t", "snippet": "s"}, {"doc_id": "globex-doc", "title": "t", "snippet": "s"}])
    found = check.leaks(EVE, leaky)
    assert len(found) == 3
    typed = _turn(message="Who is Klaus Brandt?", answer="I cannot find Klaus Brandt.")
    assert check.leaks(EVE, typed) == []  # echoing the user's own words is not a leak
    assert check.leaks(EVE, _turn(answer="ref CANARY-X"), ["canary-x"]) == ["showed 'canary-x'"]


def test_first_json_object_reads_free_text_replies() -> None:
    assert first_json_object('Sure! {"tool": "kpi", "args": {"kpi": "dso"}} done') == {"tool": "kpi",
                                                                                       "args": {"kpi": "dso"}}
    assert first_json_object('{"a": "}"} tail') == {"a": "}"}
    assert first_json_object("{broken {\"tool\": \"x\"}") == {"tool": "x"}
    assert first_json_object("no json here") is None


def test_model_specs_name_paths_and_urls() -> None:
    from evals.harness.environment import ModelSpec

    assert ModelSpec().label == "default"
    assert ModelSpec("/models/qwen.gguf").label == "qwen.gguf" and not ModelSpec("/models/qwen.gguf").is_url
    assert ModelSpec("http://127.0.0.1:8001/v1").is_url


def test_limit_keeps_the_first_cases_of_each_suite() -> None:
    from evals.harness.session import EvalRequest, select_cases

    cases = select_cases(EvalRequest(suites=["tool_use", "safety"], limit=3))
    assert [c.id for c in cases if c.suite == "tool_use"] == ["tu001", "tu002", "tu003"]
    assert len([c for c in cases if c.suite == "safety"]) == 3
