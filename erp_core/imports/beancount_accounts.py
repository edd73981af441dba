"""The chart a beancount ledger implies: every account it opens or posts to, with headers for its hierarchy.

An account keeps its full beancount name (``Assets:Bank:Checking``) as its name, so it is found again on a re-import
and exported under the same name. Codes are assigned per root in the usual ranges (assets 1000, liabilities 2000,
equity 3000, revenue 4000, expenses 6000): the root header gets the round number, the others the next free codes in
alphabetical order. Types come from the root; parents from the hierarchy (a parent is a header, not postable).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.errors import Issue
from erp_core.imports.beancount import account_type
from erp_core.imports.csvfile import issue
from erp_core.imports.sources import LedgerFile
from erp_core.ledger.models import Account

CODE_BASE = {"asset": 1000, "liability": 2000, "equity": 3000, "revenue": 4000, "expense": 6000}


@dataclass(frozen=True, slots=True)
class PlannedAccount:
    code: str
    name: str
    type: str
    parent_code: str | None
    postable: bool
    currency: str


@dataclass
class ChartPlan:
    codes: dict[str, str]  # beancount name -> account code
    new: list[PlannedAccount]  # parents before children


def _ancestors(name: str) -> list[str]:
    parts = name.split(":")
    return [":".join(parts[:i]) for i in range(1, len(parts))]


def plan_chart(source: LedgerFile, session: Session, tenant: str, functional: str,
               issues: list[Issue]) -> ChartPlan:
    """Map every beancount account of ``source`` to a code, planning the accounts that do not exist yet."""
    used_by: dict[str, str] = {}  # account -> where it is first opened or posted to
    currency_of: dict[str, str] = {}
    for opened in source.opens:
        used_by.setdefault(opened.name, opened.where)
        if opened.currencies:
            currency_of.setdefault(opened.name, opened.currencies[0])
    for entry in source.entries:
        for line in entry.lines:
            used_by.setdefault(line.account, line.where)
            currency_of.setdefault(line.account, line.currency)
    for assertion in source.assertions:
        if assertion.account not in used_by and not any(a.startswith(assertion.account + ":") for a in used_by):
            issues.append(issue("unknown_account", f"balance of {assertion.account}, which is never opened",
                                assertion.where))
    posted = {line.account for entry in source.entries for line in entry.lines}
    headers = {parent for name in used_by for parent in _ancestors(name)}
    # An account opened but never posted to may group others (a header); one posted to may not.
    leaves = set(used_by) - (headers - posted)
    for name in sorted(posted & headers):
        issues.append(issue("posted_header", f"{name} has sub-accounts and is used itself; in a general ledger an "
                                             "account with sub-accounts is a header: move its postings to a "
                                             "sub-account", used_by[name]))
    existing = {a.name: a for a in session.scalars(select(Account).where(Account.tenant == tenant))}
    taken = {a.code for a in existing.values()}
    codes = {name: existing[name].code for name in leaves | headers if name in existing}
    for name in sorted(leaves | headers):
        account = existing.get(name)
        if account is None:
            continue
        if account.postable != (name not in headers):
            issues.append(issue("account_differs", f"{name} exists as a {'postable' if account.postable else 'header'}"
                                                   " account; the file uses it otherwise", used_by.get(name, "")))
    new: list[PlannedAccount] = []
    next_code = dict.fromkeys(CODE_BASE.values(), 0)
    for name in sorted(leaves | headers, key=lambda n: (n.count(":"), n)):
        if name in codes:
            continue
        kind = account_type(name)
        base = CODE_BASE[kind]
        if ":" not in name and str(base) not in taken:
            code = str(base)
        else:
            offset = next_code[base]
            while True:
                offset += 1
                code = str(base + offset) if offset < 1000 else f"{base // 1000}-{offset}"
                if code not in taken:
                    break
            next_code[base] = offset
        taken.add(code)
        codes[name] = code
        parents = _ancestors(name)
        new.append(PlannedAccount(code, name, kind, codes[parents[-1]] if parents else None,
                                  name not in headers, currency_of.get(name, functional)))
    return ChartPlan(codes, new)
