"""The JSON report: per model, per suite scores, the headline metrics, latency and token figures, the tool
confusion matrix and every failure with its transcript."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from evals.harness.runner import CaseRecord
from evals.harness.scoring import STRUCTURAL
from evals.metrics import pass_hat_k, percentile
from evals.metrics.stats import mean
from evals.report.conversations import conversation_summary

SCHEMA_VERSION = 1


def _rate(values: Sequence[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _check_rate(records: Sequence[CaseRecord], name: str) -> float | None:
    return _rate([bool(t.checks[name]) for r in records for t in r.trials if name in t.checks])


def _latency(records: Sequence[CaseRecord]) -> dict[str, Any]:
    turns = [turn for r in records if r.kind != "retrieval" for t in r.trials for turn in t.turns]
    totals = [float(t["latency_ms"]) for t in turns if t.get("latency_ms")]
    ttft = [float(t["ttft_ms"]) for t in turns if t.get("ttft_ms") is not None]
    inputs = [int((t.get("usage") or {}).get("input_tokens", 0)) for t in turns]
    outputs = [int((t.get("usage") or {}).get("output_tokens", 0)) for t in turns]
    return {"turns": len(turns), "total_ms": {"p50": percentile(totals, 50), "p95": percentile(totals, 95)},
            "ttft_ms": {"p50": percentile(ttft, 50), "p95": percentile(ttft, 95)},
            "tokens": {"input": sum(inputs), "output": sum(outputs), "mean_input": mean(inputs),
                       "mean_output": mean(outputs)},
            "samples": {"total_ms": totals, "ttft_ms": ttft}}


def _confusion(records: Sequence[CaseRecord]) -> dict[str, dict[str, int]]:
    """expected first tool -> chosen first tool -> count, over every trial of cases that name expected tools."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        wanted = (r.expect.get("tools") or [None])[0]
        if wanted is None or r.kind == "multi_turn":
            continue
        for t in r.trials:
            calls = t.turns[0]["tool_calls"] if t.turns else []
            table[str(wanted)][calls[0]["tool"] if calls else "answer"] += 1
    return {k: dict(v) for k, v in sorted(table.items())}


def _baseline(records: Sequence[CaseRecord]) -> dict[str, Any]:
    rows = [r.baseline["checks"] for r in records if r.baseline]
    agent = [r for r in records if r.baseline]
    return {"cases": len(rows),
            "without_routing_and_grammar": {"tool_choice": _rate([bool(c.get("tool_choice")) for c in rows]),
                                            "tool_and_args": _rate([bool(c.get("tool_choice")) and
                                                                    c.get("arguments", True) is not False
                                                                    for c in rows]),
                                            "schema_valid": _rate([bool(c.get("schema_valid")) for c in rows])},
            "with_routing_and_grammar": {"tool_choice": _check_rate(agent, "tool_choice"),
                                         "tool_and_args": _rate([bool(t.checks.get("tool_choice")) and
                                                                 t.checks.get("arguments", True) is not False
                                                                 for r in agent for t in r.trials]),
                                         "schema_valid": _check_rate(agent, "schema_valid")}}


def _failures(records: Sequence[CaseRecord]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        for t in r.trials:
            if not t.passed:
                out.append({"case": r.id, "suite": r.suite, "trial": t.trial, "message": r.message,
                            "expect": r.expect, "expected_figure": t.expected,
                            "failed_checks": sorted(k for k, v in t.checks.items() if v is False),
                            "problems": t.problems, "transcript": t.turns})
    return out


def model_summary(records: Sequence[CaseRecord], trials: int) -> dict[str, Any]:
    suites: dict[str, list[CaseRecord]] = defaultdict(list)
    for r in records:
        suites[r.suite].append(r)
    per_suite = {}
    for name, rows in sorted(suites.items()):
        outcomes = [[t.passed for t in r.trials] for r in rows]
        ks = range(1, min(len(o) for o in outcomes) + 1)
        per_suite[name] = {"cases": len(rows), "pass_rate": _rate([p for o in outcomes for p in o]),
                           "pass^k": {str(k): round(pass_hat_k(outcomes, k), 4) for k in ks}}
    retrieval = [r for r in records if r.kind == "retrieval"]
    structural = {name: sum(1 for r in records for t in r.trials if t.checks.get(name) is False)
                  for name in STRUCTURAL}
    conversations = conversation_summary(records)
    return {
        "suites": per_suite,
        "metrics": {
            "conversation_turns_fully_right": (conversations or {}).get("conversations", {}).get("fully_right"),
            "tool_choice_accuracy": _check_rate(records, "tool_choice"),
            "argument_accuracy": _check_rate(records, "arguments"),
            "answer_correctness": _check_rate(records, "answer_correct"),
            "tool_results_tie_out": _check_rate(records, "tool_result_ties_out"),
            "retrieval": {m: round(sum(float(r.trials[0].checks[m]) for r in retrieval) / len(retrieval), 4)
                          for m in ("recall@5", "mrr", "context_precision", "context_recall")} if retrieval else {},
        },
        "structural_failures": structural,
        "routing_and_grammar": _baseline(records),
        "latency": _latency(records),
        "confusion": _confusion(records),
        "conversations": conversations,
        "failures": _failures([r for r in records if r.kind != "conversation"]),  # conversations: failing turns
        "cases": [r.as_dict() for r in records],
    }


def build_report(results: dict[str, list[CaseRecord]], *, trials: int, suites: Sequence[str],
                 monitors: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "trials": trials, "suites": list(suites),
            "models": {label: model_summary(records, trials) for label, records in results.items()},
            "monitors": monitors or {}}
