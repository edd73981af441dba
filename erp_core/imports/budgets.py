"""``nexus import budgets FILE.csv``: columns ``year,month,department,account_code,amount`` and optionally
``currency`` (default: the tenant's functional currency).

Amounts are in the natural direction of the account (costs of an expense account and income of a revenue account
as positive numbers), as budget-versus-actual reads them. A line already on file for the same year, month,
department and account is replaced.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append
from erp_core.directory import Department
from erp_core.epm.models import Budget
from erp_core.errors import Issue, validation_error
from erp_core.identity import Actor
from erp_core.imports.csvfile import issue, read_rows
from erp_core.imports.parties import MasterDataSummary
from erp_core.ledger.models import Account
from erp_core.money import MoneyError, to_minor
from erp_core.tenancy import functional_currency

REQUIRED = ("year", "month", "department", "account_code", "amount")
OPTIONAL = ("currency",)


def import_budgets(path: Path, actor: Actor, session: Session) -> MasterDataSummary:
    rows = read_rows(path, REQUIRED, OPTIONAL)
    tenant = actor.tenant
    fc = functional_currency(session, tenant)
    accounts = {a.code: a for a in session.scalars(select(Account).where(Account.tenant == tenant))}
    departments = set(session.scalars(select(Department.code).where(Department.tenant == tenant)))
    issues: list[Issue] = []
    lines: dict[tuple[int, int, str, str], tuple[int, str]] = {}
    seen: dict[tuple[int, int, str, str], str] = {}
    for row in rows:
        found: list[Issue] = []
        try:
            year, month = int(row.get("year")), int(row.get("month"))
            if not (1900 <= year <= 2999 and 1 <= month <= 12):
                raise ValueError
        except ValueError:
            found.append(issue("bad_month", "year and month must be a year and a month 1-12", row.where))
            year = month = 0
        dept, code = row.get("department").upper(), row.get("account_code")
        if dept not in departments:
            found.append(issue("unknown_department", f"department {dept!r} is not on record (import employees "
                                                     "first, or check the code)", row.where))
        account = accounts.get(code)
        if account is None:
            found.append(issue("unknown_account", f"account {code!r} is not in the chart", row.where))
        elif not account.postable:
            found.append(issue("account_not_postable", f"account {code} is a header account", row.where))
        currency = row.get("currency").upper() or fc
        minor = 0
        try:
            minor = to_minor(Decimal(row.get("amount")), currency)
        except (InvalidOperation, MoneyError) as exc:
            found.append(issue("bad_amount", f"amount {row.get('amount')!r}: {exc}", row.where))
        key = (year, month, dept, code)
        if key in seen:
            found.append(issue("duplicate_line", f"{year}-{month:02d} {dept} {code} is already at {seen[key]}",
                               row.where))
        if found:
            issues.extend(found)
            continue
        seen[key] = row.where
        lines[key] = (minor, currency)
    if issues:
        raise validation_error(issues, f"{len(issues)} problems in {path}; nothing was imported")
    existing = {(b.year, b.month, b.department_code, b.account_code): b
                for b in session.scalars(select(Budget).where(Budget.tenant == tenant))}
    created = updated = 0
    for (year, month, dept, code), (minor, currency) in lines.items():
        budget = existing.get((year, month, dept, code))
        if budget is None:
            session.add(Budget(tenant=tenant, year=year, month=month, department_code=dept, account_code=code,
                               amount_minor=minor, currency=currency))
            created += 1
        elif (budget.amount_minor, budget.currency) != (minor, currency):
            budget.amount_minor, budget.currency = minor, currency
            updated += 1
    session.flush()
    append(session, tenant, AuditEvent(actor.user_id, "budgets.imported", "budget", path.name,
                                       {"created": created, "updated": updated, "lines": len(lines)}))
    return MasterDataSummary("budget lines", created, updated, len(lines) - created - updated)
