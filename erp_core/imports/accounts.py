"""``nexus import accounts FILE.csv``: a chart of accounts (columns ``code,name,type,parent``).

An account that another row names as its ``parent`` is a header (not postable); every other account is postable.
Parents may come after their children in the file. Re-importing the same file changes nothing; an existing code with
another name, type or parent is reported, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.errors import Issue, validation_error
from erp_core.identity import Actor
from erp_core.imports.csvfile import Row, issue, read_rows
from erp_core.ledger import CreateAccount, create_account
from erp_core.ledger.models import Account, AccountType

COLUMNS = ("code", "name", "type", "parent")
TYPES = tuple(t.value for t in AccountType)


@dataclass(frozen=True, slots=True)
class AccountsSummary:
    created: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class _Planned:
    code: str
    name: str
    type: str
    parent: str | None
    postable: bool
    where: str


def _plan(rows: list[Row]) -> tuple[list[_Planned], list[Issue]]:
    issues: list[Issue] = []
    parents = {row.get("parent") for row in rows if row.get("parent")}
    seen: dict[str, str] = {}
    planned: list[_Planned] = []
    for row in rows:
        code, name, kind, parent = row.get("code"), row.get("name"), row.get("type").lower(), row.get("parent")
        problems = []
        if code in seen:
            problems.append(issue("duplicate_code", f"account {code} is already defined at {seen[code]}", row.where))
        if kind not in TYPES:
            problems.append(issue("bad_type", f"type {kind or '(empty)'!r} is not one of {', '.join(TYPES)}",
                                  row.where))
        if parent and parent == code:
            problems.append(issue("own_parent", f"account {code} names itself as parent", row.where))
        try:
            CreateAccount(code=code, name=name, type=kind if kind in TYPES else "asset", parent_code=parent or None)
        except ValidationError as exc:
            problems.extend(issue("bad_field", f"{'.'.join(map(str, e['loc']))}: {e['msg']}", row.where)
                            for e in exc.errors())
        if problems:
            issues.extend(problems)
            continue
        seen[code] = row.where
        planned.append(_Planned(code, name, kind, parent or None, code not in parents, row.where))
    return planned, issues


def _ordered(planned: list[_Planned], existing: dict[str, Account], issues: list[Issue]) -> list[_Planned]:
    """Parents before children; reports parents that exist nowhere, type mismatches and cycles."""
    by_code = {p.code: p for p in planned}
    existing_type = {code: account.type for code, account in existing.items()}
    for p in planned:
        if p.parent is None:
            continue
        parent_type = by_code[p.parent].type if p.parent in by_code else existing_type.get(p.parent)
        if parent_type is None:
            issues.append(issue("unknown_parent", f"parent {p.parent} of {p.code} is neither in the file nor in the "
                                                  "chart", p.where))
        elif parent_type != p.type:
            issues.append(issue("parent_type_mismatch", f"{p.code} is {p.type} but its parent {p.parent} is "
                                                        f"{parent_type}", p.where))
        elif p.parent not in by_code and existing[p.parent].postable:
            issues.append(issue("parent_postable", f"parent {p.parent} of {p.code} is a postable account in the "
                                                   "chart; parents must be headers", p.where))
    order: list[_Planned] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(p: _Planned) -> None:
        if state.get(p.code) == 2:
            return
        if state.get(p.code) == 1:
            issues.append(issue("parent_cycle", f"account {p.code} is its own ancestor", p.where))
            return
        state[p.code] = 1
        if p.parent in by_code:
            visit(by_code[p.parent])
        state[p.code] = 2
        order.append(p)

    for p in planned:
        visit(p)
    return order


def import_accounts(path: Path, actor: Actor, session: Session) -> AccountsSummary:
    """Create the accounts of ``path`` for the actor's tenant (roles: admin, controller), all or nothing."""
    rows = read_rows(path, COLUMNS)
    planned, issues = _plan(rows)
    accounts = {a.code: a for a in session.scalars(select(Account).where(Account.tenant == actor.tenant))}
    parent_codes = {a.id: a.code for a in accounts.values()}
    ordered = _ordered(planned, accounts, issues)
    todo = []
    for p in ordered:
        current = accounts.get(p.code)
        if current is None:
            todo.append(p)
            continue
        current_parent = parent_codes.get(current.parent_id) if current.parent_id else None
        if (current.name, current.type, current_parent) != (p.name, p.type, p.parent):
            issues.append(issue("account_differs", f"account {p.code} exists as {current.name!r} ({current.type}, "
                                                   f"parent {current_parent or '-'}); the file says {p.name!r} "
                                                   f"({p.type}, parent {p.parent or '-'})", p.where))
    if issues:
        raise validation_error(issues, f"{len(issues)} problems in {path}")
    for p in todo:
        create_account(CreateAccount(code=p.code, name=p.name, type=AccountType(p.type), parent_code=p.parent,
                                     postable=p.postable), actor, session)
    return AccountsSummary(created=len(todo), unchanged=len(ordered) - len(todo))
