"""Trial balance and account balances: one GROUP BY over posted lines (index-only scan on PostgreSQL)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.identity import Actor
from erp_core.ledger.accounts import get_account
from erp_core.ledger.models import Account, AccountType, JournalLine
from erp_core.ledger.roles import REPORT_READERS
from erp_core.money import fmt, from_minor
from erp_core.reports.filters import ReportFilter
from erp_core.tenancy import require_role


@dataclass(frozen=True)
class AccountTotal:
    account: Account
    currency: str
    debit_minor: int
    credit_minor: int
    dimension: str | None = None

    @property
    def natural_minor(self) -> int:
        """Balance on the account's normal side: debits minus credits for assets and expenses, else the reverse."""
        net = self.debit_minor - self.credit_minor
        return net if AccountType(self.account.type).debit_normal else -net


def account_totals(session: Session, tenant: str, flt: ReportFilter,
                   group_by: str | None = None) -> list[AccountTotal]:
    """Summed debits and credits per account and currency (and dimension value when ``group_by`` is given)."""
    columns: list[Any] = [JournalLine.account_id, JournalLine.currency]
    if group_by is not None:
        columns.append(getattr(JournalLine, group_by))
    stmt = (select(*columns, func.sum(JournalLine.debit_minor), func.sum(JournalLine.credit_minor))
            .where(*flt.conditions(tenant)).group_by(*columns))
    accounts = {a.id: a for a in session.scalars(select(Account).where(Account.tenant == tenant))}
    totals = []
    for row in session.execute(stmt):
        dimension = row[2] if group_by is not None else None
        debit, credit = int(row[-2] or 0), int(row[-1] or 0)
        totals.append(AccountTotal(accounts[row[0]], row[1], debit, credit, dimension))
    totals.sort(key=lambda t: (t.account.code, t.currency, t.dimension or ""))
    return totals


def trial_balance(actor: Actor, session: Session, flt: ReportFilter, *, group_by: str | None = None) -> dict[str, Any]:
    """Trial balance (roles: accountant, controller, cfo).

    Each row shows the account's net balance in the debit or the credit column, and ``balance`` on the account's
    normal side. ``totals`` sums the columns per currency (they are equal when the ledger balances) and, at the top
    level, across currencies as face-value control totals.
    """
    require_role(actor, REPORT_READERS, "reading the trial balance")
    rows = []
    per_currency: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for total in account_totals(session, actor.tenant, flt, group_by):
        net = total.debit_minor - total.credit_minor
        if net == 0:  # a trial balance lists accounts that carry a balance
            continue
        debit, credit = max(net, 0), max(-net, 0)
        per_currency[total.currency][0] += debit
        per_currency[total.currency][1] += credit
        row: dict[str, Any] = {"account_code": total.account.code, "account_name": total.account.name,
               "account_type": total.account.type, "currency": total.currency,
               "debit": fmt(from_minor(debit, total.currency)), "credit": fmt(from_minor(credit, total.currency)),
               "balance": fmt(from_minor(total.natural_minor, total.currency))}
        if group_by is not None:
            row[group_by] = total.dimension
        rows.append(row)
    by_currency = {cur: {"debit": fmt(from_minor(d, cur)), "credit": fmt(from_minor(c, cur)), "balanced": d == c}
                   for cur, (d, c) in sorted(per_currency.items())}
    all_debit = sum((from_minor(d, cur) for cur, (d, _c) in per_currency.items()), Decimal(0))
    all_credit = sum((from_minor(c, cur) for cur, (_d, c) in per_currency.items()), Decimal(0))
    return {**flt.describe(), "group_by": group_by, "rows": rows,
            "totals": {"debit": fmt(all_debit), "credit": fmt(all_credit),
                       "balanced": all(v["balanced"] for v in by_currency.values()), "by_currency": by_currency}}


def _descendants(session: Session, tenant: str, root: Account) -> list[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for account_id, parent_id in session.execute(select(Account.id, Account.parent_id).where(Account.tenant == tenant)):
        children[parent_id].append(account_id)
    found, stack = [], [root.id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children[current])
    return found


descendant_ids = _descendants  # public: breakdowns and rankings cover a header account's subtree the same way


def account_balance(code: str, actor: Actor, session: Session, flt: ReportFilter) -> dict[str, Any]:
    """Balance of one account on its normal side, in its currency; a header account sums its subtree."""
    require_role(actor, REPORT_READERS, "reading balances")
    account = get_account(session, actor.tenant, code)
    ids = _descendants(session, actor.tenant, account) if not account.postable else [account.id]
    stmt = (select(func.coalesce(func.sum(JournalLine.debit_minor), 0),
                   func.coalesce(func.sum(JournalLine.credit_minor), 0))
            .where(*flt.conditions(actor.tenant), JournalLine.account_id.in_(ids),
                   JournalLine.currency == account.currency))
    debit, credit = (int(v) for v in session.execute(stmt).one())
    total = AccountTotal(account, account.currency, debit, credit)
    return {"account_code": account.code, "currency": account.currency,
            "balance": fmt(from_minor(total.natural_minor, account.currency)),
            "debit": fmt(from_minor(debit, account.currency)), "credit": fmt(from_minor(credit, account.currency)),
            **flt.describe()}
