"""Eval cases as data: YAML suites (``suite``, ``kind``, ``cases``) and JSONL rows, validated when loaded.

Expected *figures* never live in a dataset: an answer case names an oracle (``expect.oracle``) and the harness
computes the figure from the ledger at run time. Expected tools, key arguments and document ids do live here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from erp_core.errors import Issue, NexusError, validation_error
from erp_core.identity import Actor

Kind = Literal["tool_use", "answer", "retrieval", "safety", "multi_turn", "conversation"]
KINDS: tuple[str, ...] = ("tool_use", "answer", "retrieval", "safety", "multi_turn", "conversation")
DATASETS = Path(__file__).resolve().parent.parent / "datasets"

# Demo users (docs/demo-company.md): the same names in both tenants; everyone also holds ``employee``.
DEMO_ROLES: dict[str, str] = {"alice": "accountant", "carol": "controller", "frank": "cfo", "sam": "sales_rep",
                              "maria": "sales_manager", "hana": "hr", "eve": "employee", "root": "admin"}


def demo_actor(user: str, tenant: str = "acme", roles: str | None = None) -> Actor:
    """``alice`` or ``alice@acme`` → the demo Actor with that user's roles (``roles`` overrides them)."""
    name = user.split("@", 1)[0]
    if roles is None:
        if name not in DEMO_ROLES:
            raise validation_error([Issue("unknown_user", f"unknown demo user {user!r}", "user")])
        roles = f"{DEMO_ROLES[name]},employee"
    return Actor.of(f"{name}@{tenant}", tenant, roles)


@dataclass(frozen=True)
class Step:
    """One step of a case: the user says something, an approver decides, or the thread resumes."""

    say: str | None = None
    approve_as: str | None = None
    reject_as: str | None = None
    resume: bool = False
    expect: dict[str, Any] = field(default_factory=dict)
    follow_up: bool = False  # a conversation turn that leans on the thread's earlier turns
    domain: str = ""  # a conversation turn's domain when it differs from its case's


@dataclass(frozen=True)
class Case:
    id: str
    suite: str
    kind: Kind
    actor: Actor
    steps: tuple[Step, ...]
    expect: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    ci: bool = False  # part of the small CI subset
    domain: str = ""  # gl, epm, apar, crm, hr, documents (conversation cases)

    @property
    def message(self) -> str:
        return next(step.say for step in self.steps if step.say)


def _case(row: dict[str, Any], suite: str, kind: str, where: str) -> Case:
    issues: list[Issue] = []
    if kind not in KINDS:
        issues.append(Issue("bad_kind", f"{where}: kind must be one of {KINDS}", "kind"))
    if not row.get("id"):
        issues.append(Issue("missing_id", f"{where}: every case needs an id", "id"))
    if kind == "conversation":
        steps = _conversation_turns(row, where, issues)
    else:
        steps_raw = row.get("steps") or [{"say": row.get("message") or row.get("question"), "expect": {}}]
        steps = tuple(Step(say=s.get("say"), approve_as=s.get("approve_as"), reject_as=s.get("reject_as"),
                           resume=bool(s.get("resume")), expect=dict(s.get("expect") or {})) for s in steps_raw)
    if not any(step.say for step in steps):
        issues.append(Issue("missing_message", f"{where}: case {row.get('id')} says nothing", "message"))
    expect = dict(row.get("expect") or {})
    if "relevant_doc_ids" in row:
        expect.setdefault("doc_ids", list(row["relevant_doc_ids"]))
    if kind == "answer" and "oracle" not in expect:
        issues.append(Issue("missing_oracle", f"{where}: answer case {row.get('id')} needs expect.oracle", "expect"))
    if kind == "retrieval" and not expect.get("doc_ids"):
        issues.append(Issue("missing_doc_ids", f"{where}: retrieval case {row.get('id')} needs doc_ids", "expect"))
    if issues:
        raise validation_error(issues)
    actor = demo_actor(str(row.get("user", "alice")), str(row.get("tenant", "acme")), row.get("roles"))
    return Case(id=str(row["id"]), suite=suite, kind=kind, actor=actor, steps=steps,  # type: ignore[arg-type]
                expect=expect, tags=tuple(row.get("tags") or ()), ci=bool(row.get("ci")),
                domain=str(row.get("domain") or ""))


def _conversation_turns(row: dict[str, Any], where: str, issues: list[Issue]) -> tuple[Step, ...]:
    """A conversation's turns: every turn after the first is a follow-up unless it says ``fresh: true``; each
    expects oracle figures (``figures``) and/or quoted phrases (``phrases``), never literal figures."""
    from evals.harness.oracles import ORACLES

    turns = row.get("turns") or []
    if not turns:
        issues.append(Issue("missing_turns", f"{where}: conversation {row.get('id')} has no turns", "turns"))
    steps = []
    for n, turn in enumerate(turns, start=1):
        expect = dict(turn.get("expect") or {})
        figures, phrases = list(expect.get("figures") or []), list(expect.get("phrases") or [])
        if not figures and not phrases:
            issues.append(Issue("missing_expectation", f"{where} turn {n}: expect figures or phrases", "expect"))
        unknown = [str(f.get("name")) for f in figures if f.get("name") not in ORACLES]
        if unknown:
            issues.append(Issue("unknown_oracle", f"{where} turn {n}: unknown oracle {unknown}", "expect"))
        steps.append(Step(say=str(turn.get("say") or ""), expect=expect, follow_up=n > 1 and not turn.get("fresh"),
                          domain=str(turn.get("domain") or "")))
    return tuple(steps)


def load_file(path: Path) -> list[Case]:
    """Cases of one YAML suite file or JSONL file (a JSONL file is one suite named after the file's kind)."""
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        specs = []
        for i, row in enumerate(rows, start=1):
            kind = row.get("kind") or ("retrieval" if "relevant_doc_ids" in row else "tool_use")
            specs.append((row, row.get("suite") or kind, kind, f"{path.name}:{i}"))
    else:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        suite, kind = str(doc.get("suite") or path.stem), str(doc.get("kind") or doc.get("suite") or path.stem)
        defaults = dict(doc.get("defaults") or {})
        specs = [({**defaults, **row}, suite, kind, f"{path.name} case {i}")
                 for i, row in enumerate(doc.get("cases") or [], start=1)]
    cases, issues = [], []
    for row, suite_name, kind_name, where in specs:
        try:
            cases.append(_case(row, suite_name, kind_name, where))
        except NexusError as err:  # keep going: every bad case is reported at once
            issues.extend(err.issues)
    if issues:
        raise validation_error(issues)
    return cases


def load_suites(root: Path = DATASETS, names: Iterable[str] | None = None, *, ci_only: bool = False) -> list[Case]:
    """Every case under ``root`` (``*.yaml``, ``*.yml``, ``*.jsonl``), optionally only the named suites.

    Raises:
        NexusError: VALIDATION_FAILED for a malformed case, duplicate ids, or a suite name that does not exist.
    """
    files = sorted(p for p in root.glob("*") if p.suffix in (".yaml", ".yml", ".jsonl"))
    cases = [case for path in files for case in load_file(path)]
    seen: set[str] = set()
    dupes = [c.id for c in cases if c.id in seen or seen.add(c.id)]  # type: ignore[func-returns-value]
    if dupes:
        raise validation_error([Issue("duplicate_id", f"case id {d} appears twice", "id") for d in dupes])
    wanted = list(names or [])
    known = {c.suite for c in cases}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise validation_error([Issue("unknown_suite", f"no suite {n!r}; known: {sorted(known)}", "suite")
                                for n in unknown])
    if wanted:
        cases = [c for c in cases if c.suite in wanted]
    if ci_only:
        cases = [c for c in cases if c.ci]
    return cases
