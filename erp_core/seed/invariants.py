"""Checks that the seeded numbers tie (every problem at once): the ledger balances, AP/AR subledgers equal their
control accounts, budgets cover every active department, planted anomalies exist."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.apar.aging import open_items
from erp_core.directory import list_departments
from erp_core.epm.actuals import account_balances
from erp_core.epm.models import Budget
from erp_core.errors import Issue
from erp_core.ledger.models import JournalLine
from erp_core.seed.models import PlantedAnomaly

CONTROLS: tuple[tuple[Literal["invoice", "bill"], str, int], ...] = (("invoice", "1100", 1), ("bill", "2010", -1))


def check_tenant(session: Session, tenant: str, as_of: dt.date) -> list[Issue]:
    issues: list[Issue] = []
    per_currency = session.execute(
        select(JournalLine.currency, func.sum(JournalLine.debit_minor), func.sum(JournalLine.credit_minor))
        .where(JournalLine.tenant == tenant).group_by(JournalLine.currency)).all()
    if not per_currency:
        issues.append(Issue("empty_ledger", f"{tenant}: no posted lines", tenant))
    for currency, debit, credit in per_currency:
        if int(debit or 0) != int(credit or 0):
            issues.append(Issue("trial_balance_unbalanced", f"{tenant} {currency}: debits {debit} != credits "
                                f"{credit}", tenant))
    for kind, control, sign in CONTROLS:
        subledger = sum(item["open_minor"] for item in open_items(session, tenant, kind, as_of))
        balance = sign * account_balances(session, tenant, as_of, [control])[control]
        if subledger != balance:
            issues.append(Issue("subledger_mismatch", f"{tenant}: open {kind}s total {subledger} but control "
                                f"account {control} holds {balance}", f"{tenant}.{control}"))
    budgeted = set(session.scalars(select(Budget.department_code).where(Budget.tenant == tenant).distinct()))
    for dept in list_departments(session, tenant):
        if dept.code not in budgeted:
            issues.append(Issue("department_without_budget", f"{tenant}: department {dept.code} has no budget",
                                f"{tenant}.{dept.code}"))
    if not session.scalar(select(func.count(PlantedAnomaly.id)).where(PlantedAnomaly.tenant == tenant)):
        issues.append(Issue("no_planted_anomalies", f"{tenant}: no planted anomalies recorded", tenant))
    return issues
