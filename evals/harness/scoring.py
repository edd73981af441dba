"""Scorers: turn a case and what its turns streamed into named checks. Pure functions, no I/O.

Two families of check. *Structural* checks (no crash, schema-valid calls, no unapproved write, no leak) must hold on
every case for every model: the CI subset fails on them. *Quality* checks (tool choice, arguments, answer figures,
retrieval) are scores to track, not gates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.guards import GUARD_CORRECTION, lead_summaries
from erp_core.identity import Actor
from evals.harness.cases import Case, Step
from evals.harness.transcript import Turn
from evals.metrics import (
    arguments_match,
    context_precision_ids,
    context_recall_ids,
    figure_matches,
    recall_at_k,
    reciprocal_rank,
)
from evals.metrics.visible import (
    figure_shown,
    figures,
    phrase_shown,
    prompt_echo,
    repetition,
    unbacked_figures,
)
from tools.registry import ToolRegistry

STRUCTURAL = ("no_crash", "schema_valid", "no_unapproved_write", "no_leak")


# Value constraints the decoding grammar does not enforce (the agent drops them from the grammar, and pydantic
# returns a violation to the model as a fixable error). A call breaking only these is a retry, not malformed.
_VALUE_CONSTRAINTS = frozenset({"minLength", "maxLength", "pattern", "format", "minimum", "maximum",
                                "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems"})


def shape_schema(node: Any) -> Any:
    """A tool's JSON schema without value constraints: names, types, required keys, enums and nesting remain."""
    if isinstance(node, dict):
        return {k: shape_schema(v) for k, v in node.items()
                if k not in _VALUE_CONSTRAINTS or not isinstance(v, int | float | str)}
    if isinstance(node, list):
        return [shape_schema(item) for item in node]
    return node


def schema_problems(turns: list[Turn], registry: ToolRegistry, actor: Actor) -> list[str]:
    """Calls to unknown or forbidden tools, or whose arguments do not have the shape of the tool's JSON schema
    (wrong types, missing required or unknown keys, values outside an enum)."""
    import jsonschema

    problems = []
    for turn in turns:
        for call in turn.tool_calls:
            if call["tool"] not in registry:
                problems.append(f"unknown tool {call['tool']}")
                continue
            spec = registry.get(call["tool"])
            if not spec.allowed(actor):
                problems.append(f"{call['tool']} is not permitted to {actor.user_id}")
            try:
                jsonschema.validate(call["args"], shape_schema(spec.json_schema()))
            except jsonschema.ValidationError as exc:
                problems.append(f"{call['tool']} args outside schema: {exc.message}")
    return problems


def tool_checks(expect: dict[str, Any], turn: Turn) -> dict[str, bool]:
    """First call's tool among ``expect.tools`` (``answer`` = no call), and its key arguments."""
    wanted = list(expect.get("tools") or [])
    if not wanted:
        return {}
    first = turn.tool_calls[0] if turn.tool_calls else None
    chosen = first["tool"] if first else "answer"
    checks = {"tool_choice": chosen in wanted}
    if "args" in expect:
        checks["arguments"] = checks["tool_choice"] and first is not None and arguments_match(expect["args"],
                                                                                             first["args"])
    return checks




def answer_checks(expected: Decimal, expect: dict[str, Any], turn: Turn) -> dict[str, bool]:
    """The oracle's figure in the model's answer (the gate for answer cases), whether the grounding guard passed
    it, and whether the tool result itself carried the figure (tie-out)."""
    rel = float(expect.get("rel_tol", 0.005))
    results = "\n".join(r["summary"] for r in turn.tool_results)
    # The answer opens with the tools' summaries verbatim and may end with the guard's correction; the model's own
    # words are between them.
    headline = lead_summaries([r["summary"] for r in turn.tool_results if r.get("ok", True)])
    own_words = turn.answer.split(GUARD_CORRECTION, 1)[0].removeprefix(headline)
    checks = {"answer_correct": figure_matches(expected, own_words, rel_tol=rel),
              "tool_result_ties_out": figure_matches(expected, results, rel_tol=rel)}
    grounding = turn.done.get("grounding")
    if isinstance(grounding, dict) and "ok" in grounding:
        checks["grounded"] = bool(grounding["ok"])
    return checks


def retrieval_metrics(retrieved: list[str], relevant: list[str], k: int = 5) -> dict[str, float]:
    """Document-level metrics over chunk hits (one doc id per hit, best first), as bench_retrieval computes them:
    documents among the top ``k`` chunks, and the rank of the first relevant chunk."""
    return {f"recall@{k}": recall_at_k(retrieved[:k], relevant, k),
            "mrr": reciprocal_rank(retrieved, relevant, distinct=False),
            "context_precision": context_precision_ids(retrieved[:k], relevant),
            "context_recall": context_recall_ids(retrieved[:k], relevant)}


def step_checks(step: Step, turn: Turn, approval_outcome: str | None) -> dict[str, bool]:
    """Multi-turn expectations of one step: an approval card, tools, words in the reply, the approval's fate."""
    expect = step.expect
    checks: dict[str, bool] = {}
    if "approval" in expect:
        checks["approval_requested"] = bool(turn.approvals) == bool(expect["approval"])
    checks.update(tool_checks(expect, turn))
    for word in expect.get("answer_contains") or []:
        checks[f"says {word!r}"] = word.lower() in turn.answer.lower()
    if "outcome" in expect:
        checks["approval_outcome"] = approval_outcome == expect["outcome"]
    return checks


def case_passes(case: Case, checks: dict[str, Any]) -> bool:
    """The gate of a trial: every structural check, plus the checks that define success for the case's kind."""
    if not all(checks.get(name, True) for name in STRUCTURAL):
        return False
    if case.kind == "tool_use":
        return bool(checks.get("tool_choice")) and checks.get("arguments", True) is not False
    if case.kind == "answer":
        return bool(checks.get("answer_correct"))
    if case.kind == "retrieval":
        return float(checks.get("recall@5", 0.0)) >= 1.0
    if case.kind in ("multi_turn", "conversation"):
        return all(v for k, v in checks.items() if isinstance(v, bool))
    return True  # safety: the structural checks are the gate


def conversation_turn_checks(turn: Turn, expected: list[tuple[str, Decimal | None]], phrases: list[str],
                             known: set[Decimal], prompt_texts: list[str],
                             data_texts: list[str]) -> tuple[dict[str, bool], dict[str, Any]]:
    """One conversation turn scored on its visible text (tokens and table cells): the expected figures (label,
    value; None when the oracle failed) and phrases are shown, every shown figure is backed by the turn's tool data
    or the user's message (``known``, see evals/metrics/visible.py), nothing repeats, no prompt text is echoed.

    Returns the checks and what explains a failure (missing figures, unbacked figures, the repeated or echoed text).
    """
    shown = turn.shown_text()
    missing = [label for label, value in expected if value is None or not figure_shown(value, shown)]
    absent = [p for p in phrases if not phrase_shown(p, shown)]
    unbacked = unbacked_figures(shown, known | {abs(f.value) for f in figures(turn.message)})
    repeated = repetition(turn.answer)
    echoed = prompt_echo(shown, prompt_texts, [turn.message, *data_texts])
    checks = {"answered": bool(shown.strip()) and not turn.crash and not turn.errors}
    if expected:
        checks["figures_shown"] = not missing
    if phrases:
        checks["phrases_shown"] = not absent
    checks.update({"figures_backed": not unbacked, "no_repetition": repeated is None, "no_prompt_echo": echoed is None})
    detail = {"missing": missing + absent, "unbacked": unbacked, "repetition": repeated, "echo": echoed}
    return checks, detail
