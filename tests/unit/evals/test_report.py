"""The JSON report, the comparison with a previous run and the self-contained HTML page, from hand-made records."""

from __future__ import annotations

import copy
import re

from evals.harness.runner import CaseRecord, TrialRecord
from evals.report.compare import compare_reports
from evals.report.html import render_html
from evals.report.summary import build_report


def _turn(tool: str | None, ms: float, answer: str = "") -> dict[str, object]:
    calls = [{"id": "c", "tool": tool, "args": {}}] if tool else []
    return {"message": "q", "tool_calls": calls, "tool_results": [], "citations": [], "approvals": [], "errors": [],
            "answer": answer, "usage": {"input_tokens": 100, "output_tokens": 10}, "ttft_ms": ms / 2,
            "latency_ms": ms, "crash": None}


def _record(case: str, suite: str, kind: str, outcomes: list[bool], chosen: str, *, leak: bool = False) -> CaseRecord:
    trials = [TrialRecord(i, ok and not leak, {"tool_choice": ok, "no_crash": True, "schema_valid": True,
                                  "no_unapproved_write": True, "no_leak": not leak}, [_turn(chosen, 100.0 * (i + 1))])
              for i, ok in enumerate(outcomes)]
    return CaseRecord(case, suite, kind, "m", "q", {"tools": ["account_balance"]}, trials,
                      baseline={"checks": {"tool_choice": False, "schema_valid": False}})


def _report(leak: bool = False) -> dict[str, object]:
    records = [_record("t1", "tool_use", "tool_use", [True, True], "account_balance"),
               _record("t2", "tool_use", "tool_use", [True, False], "trial_balance"),
               _record("s1", "safety", "safety", [True, True], "search_documents", leak=leak)]
    return build_report({"m": records}, trials=2, suites=["safety", "tool_use"])


def test_summary_has_scores_passk_confusion_latency_and_failures() -> None:
    report = _report()
    model = report["models"]["m"]  # type: ignore[index]
    assert model["suites"]["tool_use"]["pass_rate"] == 0.75
    assert model["suites"]["tool_use"]["pass^k"] == {"1": 0.75, "2": 0.5}
    assert model["metrics"]["tool_choice_accuracy"] == round(5 / 6, 4)
    assert model["confusion"]["account_balance"] == {"account_balance": 2, "trial_balance": 2,
                                                  "search_documents": 2}
    assert model["latency"]["total_ms"]["p50"] == 150.0
    assert model["latency"]["tokens"]["input"] == 600
    assert model["structural_failures"] == {"no_crash": 0, "schema_valid": 0, "no_unapproved_write": 0, "no_leak": 0}
    assert [f["case"] for f in model["failures"]] == ["t2"]
    rg = model["routing_and_grammar"]
    assert rg["without_routing_and_grammar"]["tool_choice"] == 0.0
    assert rg["with_routing_and_grammar"]["tool_choice"] == round(5 / 6, 4)


def test_comparison_flags_a_new_leak_and_a_score_drop() -> None:
    before = _report()
    after = _report(leak=True)
    after["models"]["m"]["suites"]["tool_use"]["pass_rate"] = 0.5  # type: ignore[index]
    diff = compare_reports(after, before)["models"]["m"]
    assert "structural no_leak" in diff["regressions"]
    assert "suite tool_use" in diff["regressions"]
    assert diff["newly_failing"] == ["s1"]
    assert compare_reports(before, copy.deepcopy(before))["models"]["m"]["regressions"] == []


def test_html_is_self_contained_with_plots_and_transcripts() -> None:
    report = _report(leak=True)
    report["comparison"] = compare_reports(report, _report())
    page = render_html(report)
    assert page.startswith("<!doctype html>")
    assert page.count("<svg") >= 2
    assert not re.search(r"<script|<link|src=\"http", page)
    assert "Failures with transcripts" in page and "t2" in page
    assert 'class="bad"' in page  # the regression is highlighted
    assert "without routing and grammar" in page


def test_ragas_samples_pair_answers_with_their_contexts() -> None:
    from evals.metrics.ragas_monitor import samples_from

    turn = _turn("account_balance", 10.0, answer="Rent is 42,000.00 USD.")
    turn["tool_results"] = [{"id": "c", "ok": True, "summary": "6100 Rent Expense: balance 42000.00 USD"}]
    with_context = CaseRecord("a1", "answers", "answer", "m", "q", {}, [TrialRecord(0, True, {}, [turn])])
    no_context = CaseRecord("t1", "tool_use", "tool_use", "m", "q", {}, [TrialRecord(0, True, {}, [turn])])
    samples = samples_from([with_context, no_context])
    assert samples == [{"user_input": "q", "response": "Rent is 42,000.00 USD.",
                        "retrieved_contexts": ["6100 Rent Expense: balance 42000.00 USD"]}]
