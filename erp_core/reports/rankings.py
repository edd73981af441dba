"""Rankings: the largest expense accounts, top customers by revenue or open balance, top vendors by spend or open
balance, the largest payments made, and the largest postings to one account.

Documents and payments count only once their journal entry is posted, like the aging report, so a ranking agrees with
the ledger. Each ranking returns rows largest first with a rank, an amount (plain decimal string) and its currency.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.apar.aging import open_items
from erp_core.apar.models import Bill, Customer, Invoice, Payment, Vendor
from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from erp_core.ledger.accounts import get_account
from erp_core.ledger.models import AccountType, EntryStatus, JournalEntry, JournalLine
from erp_core.ledger.roles import REPORT_READERS
from erp_core.money import fmt, from_minor
from erp_core.reports.balances import account_totals, descendant_ids
from erp_core.reports.filters import ReportFilter
from erp_core.tenancy import functional_currency, require_role

Ranking = Literal["expense_accounts", "customers_by_revenue", "customers_by_balance", "vendors_by_spend",
                  "vendors_by_balance", "payments", "entries"]
MAX_LIMIT = 50


def _ranked(items: list[tuple[dict[str, Any], int]], currency: str, limit: int) -> list[dict[str, Any]]:
    items.sort(key=lambda pair: (-pair[1], str(pair[0].get("name", ""))))
    return [{"rank": i, **fields, "amount": fmt(from_minor(minor, currency)), "currency": currency}
            for i, (fields, minor) in enumerate(items[:min(limit, MAX_LIMIT)], 1)]


def largest_expense_accounts(session: Session, tenant: str, start: dt.date, end: dt.date, currency: str,
                             limit: int, department: str | None = None) -> list[dict[str, Any]]:
    dims = {"department": department} if department else {}
    items = [({"code": t.account.code, "name": t.account.name}, t.natural_minor)
             for t in account_totals(session, tenant, ReportFilter(end, start, dims))
             if t.account.type == AccountType.EXPENSE.value and t.currency == currency and t.natural_minor > 0]
    return _ranked(items, currency, limit)


def _posted(entry_id: Any) -> Any:
    return entry_id.in_(select(JournalEntry.id).where(JournalEntry.status == EntryStatus.POSTED.value))


def _documents_by_party(session: Session, tenant: str, kind: Literal["bill", "invoice"], start: dt.date,
                        end: dt.date, currency: str, limit: int) -> list[dict[str, Any]]:
    """Invoiced revenue per customer (``invoice``) or billed spend per vendor (``bill``) dated in the range."""
    model = Bill if kind == "bill" else Invoice
    party = Vendor if kind == "bill" else Customer
    party_fk = Bill.vendor_id if kind == "bill" else Invoice.customer_id
    stmt = (select(party.code, party.name, func.sum(model.amount_minor), func.count(model.id))
            .join(party, party.id == party_fk)
            .where(model.tenant == tenant, model.currency == currency, model.doc_date >= start,
                   model.doc_date <= end, _posted(model.journal_entry_id))
            .group_by(party.code, party.name))
    items = [({"code": code, "name": name, "documents": int(n)}, int(total or 0))
             for code, name, total, n in session.execute(stmt)]
    return _ranked(items, currency, limit)


def _open_by_party(session: Session, tenant: str, kind: Literal["bill", "invoice"], as_of: dt.date, currency: str,
                   limit: int) -> list[dict[str, Any]]:
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for item in open_items(session, tenant, kind, as_of):
        if item["currency"] == currency:
            sums[(item["party_code"], item["party_name"])][0] += item["open_minor"]
            sums[(item["party_code"], item["party_name"])][1] += 1
    items = [({"code": code, "name": name, "documents": n}, minor) for (code, name), (minor, n) in sums.items()]
    return _ranked(items, currency, limit)


def largest_payments(session: Session, tenant: str, start: dt.date, end: dt.date, currency: str,
                     limit: int) -> list[dict[str, Any]]:
    """Money paid out to vendors against bills, dated in the range, largest first."""
    stmt = (select(Payment.payment_date, Payment.amount_minor, Bill.number, Vendor.name, Payment.journal_entry_id)
            .join(Bill, Bill.id == Payment.document_id).join(Vendor, Vendor.id == Bill.vendor_id)
            .where(Payment.tenant == tenant, Payment.kind == "bill", Payment.currency == currency,
                   Payment.payment_date >= start, Payment.payment_date <= end, _posted(Payment.journal_entry_id)))
    items = [({"name": vendor, "date": day.isoformat(), "bill": number, "entry_id": entry}, int(minor))
             for day, minor, number, vendor, entry in session.execute(stmt)]
    return _ranked(items, currency, limit)


def largest_entries(session: Session, tenant: str, code: str, start: dt.date, end: dt.date, currency: str,
                    limit: int) -> list[dict[str, Any]]:
    """The postings to one account (a header account: its subtree) in the range, largest movement first."""
    account = get_account(session, tenant, code)
    ids = descendant_ids(session, tenant, account) if not account.postable else [account.id]
    sign = 1 if AccountType(account.type).debit_normal else -1
    stmt = (select(JournalLine.entry_id, JournalLine.entry_date, JournalLine.debit_minor, JournalLine.credit_minor,
                   JournalEntry.memo)
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(JournalLine.tenant == tenant, JournalLine.account_id.in_(ids), JournalLine.currency == currency,
                   JournalLine.entry_date >= start, JournalLine.entry_date <= end))
    items = [({"name": memo, "date": day.isoformat(), "entry_id": entry}, sign * (int(debit) - int(credit)))
             for entry, day, debit, credit, memo in session.execute(stmt)]
    return _ranked(items, currency, limit)


def ranking(actor: Actor, session: Session, what: Ranking, start: dt.date, end: dt.date, *, limit: int = 5,
            department: str | None = None, account_code: str | None = None) -> dict[str, Any]:
    """One ranking over ``[start, end]`` (open balances: as of ``end``), largest first (roles: accountant,
    controller, cfo). ``entries`` needs ``account_code``; ``department`` narrows the expense accounts."""
    require_role(actor, REPORT_READERS, "reading rankings")
    tenant = actor.tenant
    currency = functional_currency(session, tenant)
    if what == "expense_accounts":
        rows = largest_expense_accounts(session, tenant, start, end, currency, limit, department)
    elif what in ("customers_by_revenue", "vendors_by_spend"):
        rows = _documents_by_party(session, tenant, "invoice" if what == "customers_by_revenue" else "bill", start,
                                   end, currency, limit)
    elif what in ("customers_by_balance", "vendors_by_balance"):
        rows = _open_by_party(session, tenant, "invoice" if what == "customers_by_balance" else "bill", end,
                              currency, limit)
    elif what == "payments":
        rows = largest_payments(session, tenant, start, end, currency, limit)
    else:
        if account_code is None:
            raise NexusError(ErrorCode.VALIDATION_FAILED, "the largest entries need an account")
        rows = largest_entries(session, tenant, account_code, start, end, currency, limit)
    return {"what": what, "date_from": start.isoformat(), "as_of": end.isoformat(), "currency": currency,
            "department": department, "account_code": account_code, "rows": rows}
