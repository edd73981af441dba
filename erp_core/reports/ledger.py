"""Account ledger: the lines of one account over a range, with opening balance and running balance."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.identity import Actor
from erp_core.ledger.accounts import get_account
from erp_core.ledger.models import AccountType, JournalEntry, JournalLine
from erp_core.ledger.roles import REPORT_READERS
from erp_core.money import fmt, from_minor
from erp_core.reports.filters import ReportFilter
from erp_core.tenancy import require_role

MAX_ROWS = 5000


def account_ledger(code: str, actor: Actor, session: Session, flt: ReportFilter, *,
                   limit: int = 1000) -> dict[str, Any]:
    """Lines of a postable account in date order with a running balance on the account's normal side.

    The running balance is a SQL window sum, so it stays right however many lines precede the page.
    """
    require_role(actor, REPORT_READERS, "reading account ledgers")
    account = get_account(session, actor.tenant, code)
    sign = 1 if AccountType(account.type).debit_normal else -1
    currency = account.currency
    base = [JournalLine.tenant == actor.tenant, JournalLine.account_id == account.id, JournalLine.currency == currency]
    opening = 0
    if flt.date_from is not None:
        opening_stmt = select(func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0)).where(
            *base, JournalLine.entry_date < flt.date_from)
        opening = sign * int(session.scalar(opening_stmt) or 0)
    movement = sign * (JournalLine.debit_minor - JournalLine.credit_minor)
    running = func.sum(movement).over(order_by=(JournalLine.entry_date, JournalLine.id))
    conds = [*base, JournalLine.entry_date <= flt.as_of]
    if flt.date_from is not None:
        conds.append(JournalLine.entry_date >= flt.date_from)
    conds.extend(getattr(JournalLine, key) == value for key, value in sorted(flt.dimensions.items()))
    stmt = (select(JournalLine, JournalEntry.memo, running)
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(*conds).order_by(JournalLine.entry_date, JournalLine.id).limit(min(limit, MAX_ROWS) + 1))
    rows = session.execute(stmt).all()
    truncated = len(rows) > min(limit, MAX_ROWS)
    lines = []
    for line, memo, running_minor in rows[:min(limit, MAX_ROWS)]:
        lines.append({"date": line.entry_date.isoformat(), "entry_id": line.entry_id, "line_no": line.line_no,
                      "memo": memo, "debit": fmt(from_minor(line.debit_minor, currency)),
                      "credit": fmt(from_minor(line.credit_minor, currency)),
                      "balance": fmt(from_minor(opening + int(running_minor), currency)),
                      "department": line.department, "cost_center": line.cost_center, "project": line.project})
    closing = lines[-1]["balance"] if lines and not truncated else None
    return {"account_code": account.code, "account_name": account.name, "currency": currency, **flt.describe(),
            "opening_balance": fmt(from_minor(opening, currency)), "lines": lines, "truncated": truncated,
            "closing_balance": closing if closing is not None or truncated else fmt(from_minor(opening, currency))}
