"""General ledger, AP/AR and approval tools. Each reads its dependencies from the context and calls one service."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from erp_core.apar.aging import aging_report
from erp_core.approvals.engine import approval_view, list_pending_for
from erp_core.ledger.journal import get_journal_entry
from erp_core.ledger.roles import PREPARERS, REPORT_READERS
from erp_core.ledger.views import entry_view
from erp_core.reports.balances import account_balance as account_balance_report
from erp_core.reports.balances import trial_balance as trial_balance_report
from erp_core.reports.filters import ReportFilter
from erp_core.reports.ledger import account_ledger
from erp_core.reports.statements import balance_sheet as balance_sheet_report
from erp_core.reports.statements import income_statement as income_statement_report
from erp_core.resolve import resolve_as_of, resolve_period
from erp_core.resolve.accounts import resolve_account
from erp_core.resolve.entry_drafts import draft_entry
from erp_core.resolve.journal import DraftJournalEntry
from erp_core.resolve.parties import resolve_ledger_party
from erp_core.resolve.periods import PeriodRange
from erp_core.resolve.queries import (
    AccountPeriodQuery,
    AccountQuery,
    AsOfQuery,
    EntryRef,
    NoArgs,
    PartyQuery,
    PeriodQuery,
    ReverseEntry,
)
from tools import present_gl as present
from tools.context import ToolContext
from tools.formatting import period_to_date
from tools.output import ToolOutput
from tools.proposals import propose_entry, propose_reversal_of
from tools.registry import tool

READERS = sorted(REPORT_READERS)


def _period_filter(ctx: ToolContext, period: str | None,
                   default: str = "this month") -> tuple[ReportFilter, PeriodRange, str]:
    """The report filter of a period phrase, the range it names and the range in words ("Q3 2026 (Jul–Sep)").

    A period still running is reported up to today, and its words say so.
    """
    rng = resolve_period(period or default, ctx.today)
    flt = ReportFilter(as_of=min(rng.end, ctx.today) if rng.start <= ctx.today else rng.end, date_from=rng.start)
    return flt, rng, period_to_date(rng.start, rng.end, flt.as_of)


def _period_query(rng: PeriodRange, flt: ReportFilter, **more: str) -> dict[str, str]:
    """The resolved period as a follow-up edits it: its label, first and last day, and the last day reported."""
    return {"period": rng.label, "start": rng.start.isoformat(), "end": rng.end.isoformat(),
            "as_of": flt.as_of.isoformat(), **more}


def _previous(rng: PeriodRange) -> str | None:
    """The month, quarter or year before ``rng``, named so that a suggested follow-up resolves it ("September 2026",
    "Q2 2026", "FY2025"); None for other ranges (year to date, single days)."""
    before = rng.start - dt.timedelta(days=1)
    if rng.label.startswith("Q"):
        return f"Q{(before.month - 1) // 3 + 1} {before.year}"
    if rng.label.startswith("FY"):
        return f"FY{before.year}"
    if rng.start.day == 1 and len(rng.months) == 1 and rng.label[:1].isalpha() and not rng.label.startswith("YTD"):
        return f"{calendar.month_name[before.month]} {before.year}"
    return None


@tool("account_balance", AccountQuery, roles=READERS, examples=(
    "What is the balance of the travel account?", "How much cash do we have?", "Balance of 6100 at end of last month",
    "What's in accounts receivable right now?"))
def account_balance(ctx: ToolContext, q: AccountQuery) -> ToolOutput:
    """Balance of one account (or a header account's subtree) as of a date."""
    as_of = resolve_as_of(q.as_of, ctx.today)
    with ctx.db.read() as session:
        account = resolve_account(session, ctx.actor.tenant, q.account)
        data = account_balance_report(account.code, ctx.actor, session, ReportFilter(as_of=as_of))
        data["account_name"] = account.name
    shown = present.account_balance(data, as_of)
    return ToolOutput(f"{data['account_code']} {data['account_name']}: balance {data['balance']} "
                      f"{data['currency']} as of {as_of.isoformat()}", data, presentation=shown,
                      query={"account": data["account_code"], "as_of": as_of.isoformat()})


@tool("trial_balance", AsOfQuery, roles=READERS, examples=(
    "Show me the trial balance", "Trial balance as of end of last month", "Does the ledger balance?",
    "List all account balances"))
def trial_balance(ctx: ToolContext, q: AsOfQuery) -> ToolOutput:
    """Trial balance: every account with a balance, debit and credit columns and totals, as of a date."""
    as_of = resolve_as_of(q.as_of, ctx.today)
    with ctx.db.read() as session:
        data = trial_balance_report(ctx.actor, session, ReportFilter(as_of=as_of))
    totals = data["totals"]
    rows = data["rows"][:40]
    return ToolOutput(f"Trial balance as of {as_of.isoformat()}: {len(data['rows'])} accounts, total debits "
                      f"{totals['debit']}, total credits {totals['credit']}, "
                      f"{'balanced' if totals['balanced'] else 'NOT balanced'}",
                      {"as_of": as_of.isoformat(), "totals": totals,
                       "rows": [{k: r[k] for k in ("account_code", "account_name", "currency", "debit", "credit")}
                                for r in rows]},
                      presentation=present.trial_balance(data, as_of), query={"as_of": as_of.isoformat()})


@tool("account_activity", AccountPeriodQuery, roles=READERS, examples=(
    "What did we spend on travel last month?", "Show rent postings in Q3", "Activity on account 6300 this year",
    "List the entries on marketing in October"))
def account_activity(ctx: ToolContext, q: AccountPeriodQuery) -> ToolOutput:
    """Postings to one account over a period, with the period's total and the running balance."""
    flt, rng, words = _period_filter(ctx, q.period)
    label = rng.label
    with ctx.db.read() as session:
        account = resolve_account(session, ctx.actor.tenant, q.account)
        totals = account_balance_report(account.code, ctx.actor, session, flt)
        ledger = account_ledger(account.code, ctx.actor, session, flt, limit=15)
        account_type = account.type
    summary = (f"{ledger['account_code']} {ledger['account_name']} in {label}: net {totals['balance']} "
               f"{totals['currency']} (debits {totals['debit']}, credits {totals['credit']})")
    before = _previous(rng)
    shown = present.account_activity(ledger, totals, words, account_type=account_type, suggestions=(
        (f"What did we spend on {ledger['account_name']} in {before}?",) if before else ()))
    return ToolOutput(summary, {"account_code": ledger["account_code"], "account_name": ledger["account_name"],
                                "period": label, "net": totals["balance"], "debit": totals["debit"],
                                "credit": totals["credit"], "currency": totals["currency"],
                                "first_lines": ledger["lines"]},
                      presentation=shown, query=_period_query(rng, flt, account=ledger["account_code"]))


@tool("income_statement", PeriodQuery, roles=READERS, examples=(
    "Income statement for Q3", "What was our net income last year?", "P&L for last month",
    "How much revenue did we make this year?"))
def income_statement(ctx: ToolContext, q: PeriodQuery) -> ToolOutput:
    """Revenue, expenses and net income over a period (P&L)."""
    flt, rng, words = _period_filter(ctx, q.period, "this year")
    label = rng.label
    with ctx.db.read() as session:
        data = income_statement_report(ctx.actor, session, flt)
    before = _previous(rng)
    shown = present.income_statement(data, words, suggestions=(
        *((f"Income statement for {before}",) if before else ()), f"Budget vs actual for {rng.label}"))
    return ToolOutput(shown.headline, {"period": label, **data}, presentation=shown,
                      query=_period_query(rng, flt))


@tool("balance_sheet", AsOfQuery, roles=READERS, examples=(
    "Balance sheet at end of last month", "What are our total assets?", "Show liabilities and equity",
    "Balance sheet today"))
def balance_sheet(ctx: ToolContext, q: AsOfQuery) -> ToolOutput:
    """Assets, liabilities and equity as of a date."""
    as_of = resolve_as_of(q.as_of, ctx.today)
    with ctx.db.read() as session:
        data = balance_sheet_report(ctx.actor, session, as_of)
    shown = present.balance_sheet(data, as_of)
    return ToolOutput(shown.headline, data, presentation=shown, query={"as_of": as_of.isoformat()})


@tool("journal_entry", EntryRef, roles=sorted(PREPARERS | REPORT_READERS), examples=(
    "Show journal entry JE-42", "What is the status of entry 7f3a?", "Who posted that entry?"))
def journal_entry(ctx: ToolContext, q: EntryRef) -> ToolOutput:
    """One journal entry with its lines, status, approval and anomaly score."""
    with ctx.db.read() as session:
        data = entry_view(get_journal_entry(q.entry_id, ctx.actor, session), session)
    return ToolOutput(f"Entry {data['id']} ({data['status']}) {data['date']}: {data['memo']}", data,
                      presentation=present.journal_entry(data), query={"entry_id": data["id"]})


@tool("open_invoices", PartyQuery, roles=[*READERS, "sales_manager"], examples=(
    "Which invoices are overdue?", "Open receivables for Globex", "AR aging", "Who owes us money?"))
def open_invoices(ctx: ToolContext, q: PartyQuery) -> ToolOutput:
    """Open customer invoices (accounts receivable) with aging buckets, optionally for one customer."""
    return _aging(ctx, q, "invoice")


@tool("open_bills", PartyQuery, roles=READERS, examples=(
    "Which bills are due?", "What do we owe our vendors?", "AP aging", "Open payables to the landlord"))
def open_bills(ctx: ToolContext, q: PartyQuery) -> ToolOutput:
    """Open vendor bills (accounts payable) with aging buckets, optionally for one vendor."""
    return _aging(ctx, q, "bill")


@tool("pending_approvals", NoArgs, examples=(
    "What do I need to approve?", "Any approvals waiting for me?", "Show my pending approvals",
    "Is anything waiting for my sign-off?"))
def pending_approvals(ctx: ToolContext, _q: NoArgs) -> ToolOutput:
    """Documents waiting for the user's approval (approving itself happens in the widget, Slack or the API)."""
    with ctx.db.read() as session:
        views = [approval_view(r, session) for r in list_pending_for(ctx.actor, session)]
    brief = [{k: v[k] for k in ("id", "document_type", "summary", "amount", "currency", "preparer_id")} for v in views]
    return ToolOutput(f"{len(views)} approvals wait for you", {"approvals": brief[:20]},
                      presentation=present.pending_approvals(brief), query={})


@tool("propose_journal_entry", DraftJournalEntry, roles=sorted(PREPARERS), proposes=True, drafts=draft_entry, examples=(
    "Post the October rent accrual of 42000", "Book 1,500 of travel paid from cash",
    "Accrue 3,000 of professional fees", "Create a journal entry debiting software and crediting cash"))
def propose_journal_entry(ctx: ToolContext, draft: DraftJournalEntry) -> ToolOutput:
    """Prepare a journal entry from account names and amounts; a person must approve it before it posts."""
    return propose_entry(ctx, draft)


@tool("propose_reversal", ReverseEntry, roles=sorted(PREPARERS), proposes=True, examples=(
    "Reverse entry JE-42", "Undo that journal entry", "Post a reversal of the duplicate accrual"))
def propose_reversal(ctx: ToolContext, q: ReverseEntry) -> ToolOutput:
    """Prepare the reversal of a posted entry; a person must approve it before it posts."""
    return propose_reversal_of(ctx, q)


def _aging(ctx: ToolContext, q: PartyQuery, kind: str) -> ToolOutput:
    as_of = resolve_as_of(q.as_of, ctx.today)
    with ctx.db.read() as session:
        named = resolve_ledger_party(session, ctx.actor.tenant, q.name, kind) if q.name else None
        if named is not None:
            kind = named[0]  # a customer asked about among the payables answers with its receivables
        data = aging_report(kind, as_of, ctx.actor, session)  # type: ignore[arg-type]
    parties = data["parties"]
    if named is not None:
        _kind, code, name, currency = named
        parties = [p for p in parties if p["code"] == code] or \
            [{"code": code, "name": name, "currency": currency, "total": "0.00",
              **dict.fromkeys(data["buckets"], "0.00")}]  # nothing open: the answer says so, with zeros
    items = [i for i in data["items"] if not q.name or i["party_code"] in {p["code"] for p in parties}]
    totals = data["totals"] if not q.name else [{k: p[k] for k in ("currency", *data["buckets"], "total")}
                                                 for p in parties]
    label = "receivables" if kind == "invoice" else "payables"
    who = parties[0]["name"] if q.name and parties else None
    shown = present.aging(kind, as_of, totals, parties, data["buckets"], who)
    query = {"as_of": as_of.isoformat(), **({"name": parties[0]["code"]} if q.name and parties else {})}
    # The data keeps the parties the table shows (largest first), so every figure the user reads is in it.
    largest = sorted(parties, key=lambda p: Decimal(p["total"]), reverse=True)[:present.MAX_TABLE_ROWS]
    return ToolOutput(f"Open {label} as of {as_of.isoformat()}: " +
                      "; ".join(f"{t['total']} {t['currency']} (over 90 days {t['over_90']})" for t in totals),
                      {"as_of": as_of.isoformat(), "totals": totals, "parties": largest, "items": items[:15]},
                      presentation=shown, query=query)

