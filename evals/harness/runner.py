"""Runs cases against one agent per model, K trials each, and records every trial with its checks and transcript."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

from erp_core.errors import NexusError
from evals.harness.audit import LeakCheck, snapshot, unapproved_writes
from evals.harness.baseline import baseline_choice
from evals.harness.cases import Case, Step, demo_actor
from evals.harness.environment import TODAY, EvalWorld, ModelSpec
from evals.harness.oracles import expected_figure, oracle_label
from evals.harness.scoring import (
    answer_checks,
    case_passes,
    conversation_turn_checks,
    retrieval_metrics,
    schema_problems,
    step_checks,
    tool_checks,
)
from evals.harness.transcript import Turn, record, tool_results
from evals.metrics.visible import data_figures, figures

Progress = Callable[[str, str], None]  # (model label, case id) after each trial


@dataclass
class TrialRecord:
    trial: int
    passed: bool
    checks: dict[str, Any]
    turns: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    expected: str | None = None


@dataclass
class CaseRecord:
    id: str
    suite: str
    kind: str
    model: str
    message: str
    expect: dict[str, Any]
    trials: list[TrialRecord] = field(default_factory=list)
    baseline: dict[str, Any] | None = None
    user: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunOptions:
    trials: int = 1
    baseline: bool = True  # also run the no-routing, no-grammar decision on tool and answer cases


class Runner:
    def __init__(self, world: EvalWorld, options: RunOptions, progress: Progress = lambda _m, _c: None) -> None:
        self.world = world
        self.options = options
        self.progress = progress
        self.leaks = LeakCheck(world.doc_acl)
        self.prompt_texts = prompt_texts()

    async def run(self, cases: Sequence[Case], models: Sequence[ModelSpec]) -> dict[str, list[CaseRecord]]:
        """Every case on every model. Retrieval cases do not involve a model: they run once and are shared."""
        retrieval = [self.retrieval_case(c) for c in cases if c.kind == "retrieval"]
        for c in cases:
            if c.kind == "retrieval":
                self.progress("retrieval", c.id)
        out: dict[str, list[CaseRecord]] = {}
        for spec in models:
            model = spec.build()
            agent = self.world.agent(model, name=uuid.uuid4().hex[:8])
            records = []
            for case in cases:
                if case.kind == "retrieval":
                    continue
                rec = CaseRecord(case.id, case.suite, case.kind, spec.label, case.message, _plain(case.expect),
                                 user=case.actor.user_id)
                for trial in range(self.options.trials):
                    rec.trials.append(await self.trial(agent, case, trial))
                    self.progress(spec.label, case.id)
                if self.options.baseline and case.kind in ("tool_use", "answer") and case.expect.get("tools"):
                    rec.baseline = await self.baseline(model, case)
                records.append(rec)
            out[spec.label] = [*records, *(_relabel(r, spec.label) for r in retrieval)]
        return out

    def retrieval_case(self, case: Case) -> CaseRecord:
        hits = self.world.documents.search(case.actor, case.message, k=10)
        retrieved = [h.doc_id for h in hits]
        checks: dict[str, Any] = dict(retrieval_metrics(retrieved, list(case.expect["doc_ids"])))
        turn = Turn(message=case.message, citations=[h.citation() for h in hits[:5]])
        leaks = self.leaks.leaks(case.actor, turn, case.expect.get("forbidden"))
        checks["no_leak"] = not leaks
        trial = TrialRecord(0, case_passes(case, checks), checks, [turn.as_dict()], leaks)
        return CaseRecord(case.id, case.suite, case.kind, "retrieval", case.message, _plain(case.expect), [trial])

    async def trial(self, agent: Any, case: Case, trial: int) -> TrialRecord:
        if case.kind == "conversation":
            return await self.conversation_trial(agent, case, trial)
        db = self.world.db
        before = snapshot(db)
        thread = f"eval-{case.id}-{trial}-{uuid.uuid4().hex[:8]}"
        checks: dict[str, Any] = {}
        problems: list[str] = []
        expected = None
        if case.kind == "answer":
            expected = expected_figure(db, case.actor, TODAY, case.expect["oracle"])
        turns: list[Turn] = []
        for n, step in enumerate(case.steps, start=1):
            if step.approve_as or step.reject_as:
                self._decide(case, turns, step.approve_as, step.reject_as, problems)
                continue
            if step.resume:
                turn = await record(agent.resume(case.actor, thread), "(resume after the decision)")
            else:
                early = case.kind == "tool_use" and not case.expect.get("full_turn")
                turn = await record(agent.run(case.actor, str(step.say), thread), str(step.say),
                                    stop_after_tool_call=early)
            turns.append(turn)
            if case.kind == "multi_turn":
                checks.update({f"step {n}: {k}": v for k, v in step_checks(step, turn,
                                                                        self._status(turns)).items()})
        first = turns[0]
        if case.kind in ("tool_use", "answer", "safety"):
            checks.update(tool_checks(case.expect, first))
        if expected is not None:
            checks.update(answer_checks(expected, case.expect, first))
        crashes = [t.crash for t in turns if t.crash]
        schema = schema_problems(turns, self.world.registry, case.actor)
        writes = unapproved_writes(db, before)
        leaks = [leak for t in turns for leak in self.leaks.leaks(case.actor, t, case.expect.get("forbidden"))]
        checks.update({"no_crash": not crashes, "schema_valid": not schema, "no_unapproved_write": not writes,
                       "no_leak": not leaks})
        if case.kind == "safety":
            checks["proposals_made"] = sum(len(t.approvals) for t in turns)  # drafts awaiting a human: allowed
        problems += [*crashes, *schema, *writes, *leaks]
        return TrialRecord(trial, case_passes(case, checks), checks, [t.as_dict() for t in turns], problems,
                           None if expected is None else f"{expected:f}")

    async def conversation_trial(self, agent: Any, case: Case, trial: int) -> TrialRecord:
        """Every turn of a conversation in one thread, each scored on what the user reads (see
        ``conversation_turn_checks``); the trial passes when every turn does."""
        before = snapshot(self.world.db)
        thread = f"eval-{case.id}-{trial}-{uuid.uuid4().hex[:8]}"
        checks: dict[str, Any] = {}
        problems: list[str] = []
        turns: list[Turn] = []
        rows: list[dict[str, Any]] = []
        for n, step in enumerate(case.steps, start=1):
            expected = self._expected_figures(case, step, problems)
            turn = await record(agent.run(case.actor, str(step.say), thread), str(step.say))
            results = await tool_results(agent, case.actor, thread)
            known = {f for r in results for f in data_figures(r.get("data"))}
            texts = [str(r.get("text") or r.get("summary") or "") for r in results]
            texts += [f"{c['title']} {c['snippet']}" for c in turn.citations]
            known |= {abs(f.value) for text in texts for f in figures(text)}
            turn_checks, detail = conversation_turn_checks(turn, expected, list(step.expect.get("phrases") or []),
                                                           known, self.prompt_texts, texts)
            turns.append(turn)
            checks.update({f"turn {n}: {k}": v for k, v in turn_checks.items()})
            rows.append({**turn.as_dict(), "follow_up": step.follow_up, "domain": step.domain or case.domain,
                         "checks": turn_checks, "passed": all(turn_checks.values()), "shown": turn.shown_text(),
                         "expected": [{"figure": label, "value": None if v is None else f"{v:f}"}
                                      for label, v in expected] + [{"phrase": p} for p in
                                                                   step.expect.get("phrases") or []],
                         **detail})
        crashes = [t.crash for t in turns if t.crash]
        schema = schema_problems(turns, self.world.registry, case.actor)
        writes = unapproved_writes(self.world.db, before)
        leaks = [leak for t in turns for leak in self.leaks.leaks(case.actor, t, case.expect.get("forbidden"))]
        checks.update({"no_crash": not crashes, "schema_valid": not schema, "no_unapproved_write": not writes,
                       "no_leak": not leaks})
        problems += [*crashes, *schema, *writes, *leaks]
        return TrialRecord(trial, case_passes(case, checks), checks, rows, problems)

    def _expected_figures(self, case: Case, step: Step, problems: list[str]) -> list[tuple[str, Decimal | None]]:
        """Each oracle spec of the turn as (label, the figure computed from the ledger now); None if it failed."""
        out: list[tuple[str, Decimal | None]] = []
        for spec in step.expect.get("figures") or []:
            label = oracle_label(spec)
            try:
                out.append((label, expected_figure(self.world.db, case.actor, TODAY, spec)))
            except NexusError as exc:
                problems.append(f"oracle {label}: {exc.message}")
                out.append((label, None))
        return out

    def _decide(self, case: Case, turns: list[Turn], approve_as: str | None, reject_as: str | None,
                problems: list[str]) -> str | None:
        """An approver decides the latest approval card through erp_core, as the widget or Slack would."""
        from erp_core.approvals.engine import approve, reject

        cards = [card for t in turns for card in t.approvals]
        if not cards:
            problems.append("no approval card to decide")
            return None
        card = cards[-1]
        approver = demo_actor(str(approve_as or reject_as), case.actor.tenant)
        try:
            with self.world.db.unit_of_work() as session:
                if approve_as:
                    approve(card["approval_id"], card["payload_hash"], approver, session)
                else:
                    reject(card["approval_id"], "rejected by the eval", approver, session)
        except NexusError as exc:
            problems.append(f"decision refused: {exc.code.value}: {exc.message}")
            return exc.code.value
        return "approved" if approve_as else "rejected"

    def _status(self, turns: list[Turn]) -> str | None:
        from erp_core.approvals.models import ApprovalRequest

        cards = [card for t in turns for card in t.approvals]
        if not cards:
            return None
        with self.world.db.read() as session:
            request = session.get(ApprovalRequest, cards[-1]["approval_id"])
            return None if request is None else request.status

    async def baseline(self, model: Any, case: Case) -> dict[str, Any]:
        choice = await baseline_choice(model, self.world.registry, case.actor, case.message)
        turn = Turn(message=case.message, tool_calls=[] if choice.tool in (None, "answer") else
                    [{"id": "baseline", "tool": choice.tool, "args": choice.args}])
        checks: dict[str, Any] = tool_checks(case.expect, turn) if choice.tool is not None else \
            {"tool_choice": False, **({"arguments": False} if "args" in case.expect else {})}
        checks["schema_valid"] = choice.schema_valid and not schema_problems([turn], self.world.registry, case.actor)
        return {"tool": choice.tool, "args": choice.args, "raw": choice.raw[:500], "checks": checks,
                "latency_ms": choice.latency_ms, "usage": choice.usage}


def prompt_texts() -> list[str]:
    """Every prompt the agent may send a model: text a user must never read back (the echo check)."""
    folder = resources.files("prompts").joinpath("files")
    return [f.read_text(encoding="utf-8") for f in folder.iterdir() if f.name.endswith(".txt")]


def _plain(value: Any) -> Any:
    """YAML values as JSON-safe values (dates become ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _relabel(record: CaseRecord, model: str) -> CaseRecord:
    return CaseRecord(record.id, record.suite, record.kind, model, record.message, record.expect, record.trials)
