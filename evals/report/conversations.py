"""The conversation suites' figures: turns fully right (overall, per domain, first turns vs follow-ups), each check's
rate, pass^k over turns and over whole conversations, per-turn latency, and the failing turns with what they showed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from evals.harness.runner import CaseRecord
from evals.metrics import pass_hat_k, percentile

CHECKS = ("answered", "figures_shown", "phrases_shown", "figures_backed", "no_repetition", "no_prompt_echo")


def _rate(values: Sequence[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _group(turns: Sequence[dict[str, Any]]) -> dict[str, Any]:
    latency = [float(t["latency_ms"]) for t in turns if t.get("latency_ms")]
    return {"turns": len(turns), "fully_right": _rate([bool(t["passed"]) for t in turns]),
            "latency_ms": {"p50": percentile(latency, 50), "p95": percentile(latency, 95)}}


def _kind(turn: dict[str, Any]) -> str:
    return "follow-up" if turn.get("follow_up") else "first turn"


def conversation_summary(records: Sequence[CaseRecord], failing_limit: int = 200) -> dict[str, Any] | None:
    """Figures of every conversation-kind case in ``records`` (None when there is none), per suite."""
    out: dict[str, Any] = {}
    for suite in sorted({r.suite for r in records if r.kind == "conversation"}):
        rows = [r for r in records if r.suite == suite]
        turns = [t for r in rows for trial in r.trials for t in trial.turns]
        by_domain: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for turn in turns:
            by_domain[str(turn.get("domain") or "other")].append(turn)
            by_kind[_kind(turn)].append(turn)
        per_turn = [[bool(trial.turns[i]["passed"]) for trial in r.trials]
                    for r in rows for i in range(min((len(trial.turns) for trial in r.trials), default=0))]
        per_case = [[trial.passed for trial in r.trials] for r in rows]
        k_max = min((len(o) for o in per_case), default=0)
        failing = [{"case": r.id, "trial": trial.trial, "turn": n, "domain": t.get("domain"), "kind": _kind(t),
                    "user": r.user, "message": t["message"],
                    "failed": sorted(k for k, v in t["checks"].items() if not v),
                    "missing": t.get("missing"), "unbacked": t.get("unbacked"), "repetition": t.get("repetition"),
                    "echo": t.get("echo"), "tools": [c["tool"] for c in t.get("tool_calls") or []],
                    "shown": t.get("shown", ""), "latency_ms": t.get("latency_ms")}
                   for r in rows for trial in r.trials for n, t in enumerate(trial.turns, start=1) if not t["passed"]]
        out[suite] = {
            "conversations": len(rows), **_group(turns),
            "conversations_fully_right": _rate([p for o in per_case for p in o]),
            "checks": {name: _rate([bool(t["checks"][name]) for t in turns if name in t["checks"]]) for name in CHECKS},
            "turns_with_unbacked_figures": sum(1 for t in turns if t.get("unbacked")),
            "by_kind": {name: _group(group) for name, group in sorted(by_kind.items())},
            "by_domain": {name: _group(group) for name, group in sorted(by_domain.items())},
            "pass^k": {str(k): {"turns": round(pass_hat_k(per_turn, k), 4), "conversations":
                                round(pass_hat_k(per_case, k), 4)} for k in range(1, k_max + 1)},
            "failing_turns": failing[:failing_limit], "failing_turn_count": len(failing),
        }
    return out or None
