"""Compare a run with a previous one: suite scores, headline metrics and structural failures per model, and the cases
that passed before and fail now. A drop beyond ``tolerance`` (or any new structural failure) is a regression."""

from __future__ import annotations

from typing import Any

METRICS = ("tool_choice_accuracy", "argument_accuracy", "answer_correctness", "tool_results_tie_out",
           "conversation_turns_fully_right")


def _case_status(summary: dict[str, Any]) -> dict[str, bool]:
    return {c["id"]: all(t["passed"] for t in c["trials"]) for c in summary.get("cases", [])}


def _delta(before: float | None, after: float | None, tolerance: float) -> dict[str, Any]:
    if before is None or after is None:
        return {"before": before, "after": after, "delta": None, "regression": False}
    delta = round(after - before, 4)
    return {"before": before, "after": after, "delta": delta, "regression": delta < -tolerance}


def compare_reports(current: dict[str, Any], previous: dict[str, Any], tolerance: float = 0.02) -> dict[str, Any]:
    out: dict[str, Any] = {"previous_created_at": previous.get("created_at"), "tolerance": tolerance, "models": {}}
    for label, now in current.get("models", {}).items():
        then = previous.get("models", {}).get(label)
        if then is None:
            continue
        suites = {name: _delta((then["suites"].get(name) or {}).get("pass_rate"), s["pass_rate"], tolerance)
                  for name, s in now["suites"].items()}
        metrics = {name: _delta(then["metrics"].get(name), now["metrics"].get(name), tolerance) for name in METRICS}
        structural = {name: {"before": then["structural_failures"].get(name, 0), "after": count,
                             "regression": count > then["structural_failures"].get(name, 0)}
                      for name, count in now["structural_failures"].items()}
        old, new = _case_status(then), _case_status(now)
        out["models"][label] = {
            "suites": suites, "metrics": metrics, "structural": structural,
            "newly_failing": sorted(c for c, ok in new.items() if not ok and old.get(c) is True),
            "newly_passing": sorted(c for c, ok in new.items() if ok and old.get(c) is False),
            "regressions": sorted([f"suite {n}" for n, d in suites.items() if d["regression"]] +
                                  [f"metric {n}" for n, d in metrics.items() if d["regression"]] +
                                  [f"structural {n}" for n, d in structural.items() if d["regression"]]),
        }
    return out
