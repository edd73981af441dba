"""Proposal tools' shared work: resolve the draft, submit it to erp_core (which validates and opens the approval),
and describe its ledger impact for the approval card. Nothing here posts: erp_core posts after a human approves."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from erp_core.approvals.engine import approval_view
from erp_core.approvals.models import ApprovalRequest
from erp_core.identity import Actor
from erp_core.ledger.accounts import get_account
from erp_core.ledger.commands import ReverseJournalEntry
from erp_core.ledger.journal import SubmitResult, reverse_journal_entry, submit_journal_entry
from erp_core.ledger.views import entry_view
from erp_core.reports.balances import account_balance
from erp_core.reports.filters import ReportFilter
from erp_core.resolve import resolve_as_of
from erp_core.resolve.journal import DraftJournalEntry, resolve_journal_entry
from erp_core.resolve.queries import ReverseEntry
from tools.context import ToolContext
from tools.output import ApprovalCard, ToolOutput

SOURCE = "assistant"


def _key_prefix(ctx: ToolContext) -> str:
    return f"{SOURCE}:{ctx.thread_id or 'no-thread'}"


def ledger_impact(session: Session, actor: Actor, lines: list[dict[str, Any]], as_of: Any) -> list[dict[str, Any]]:
    """Balance of each touched account before and after the entry (on the account's normal side)."""
    impact = []
    for code in dict.fromkeys(line["account_code"] for line in lines):
        account = get_account(session, actor.tenant, code)
        before = Decimal(account_balance(code, actor, session, ReportFilter(as_of=as_of))["balance"])
        delta = sum((Decimal(line["debit"] or 0) - Decimal(line["credit"] or 0)
                     for line in lines if line["account_code"] == code), Decimal(0))
        if account.type not in ("asset", "expense"):
            delta = -delta
        impact.append({"account_code": code, "account_name": account.name, "currency": account.currency,
                       "before": f"{before:f}", "change": f"{delta:+f}", "after": f"{before + delta:f}"})
    return impact


def approvers_of(view: dict[str, Any]) -> list[str]:
    out = []
    for req in view.get("requirements", []):
        who = req.get("user_id") or req.get("role") or "approver"
        out.append(f"{req.get('count', 1)} x {who}" if req.get("count", 1) > 1 else str(who))
    return out


def approval_card(session: Session, request: ApprovalRequest, draft: dict[str, Any],
                  impact: dict[str, Any]) -> ApprovalCard:
    """The card every proposal tool returns for a draft that waits for ``request``."""
    return ApprovalCard(approval_id=request.id, draft=draft, impact=impact, payload_hash=request.payload_hash,
                        approvers=approvers_of(approval_view(request, session)))


def _output(session: Session, ctx: ToolContext, result: SubmitResult, verb: str) -> ToolOutput:
    view = entry_view(result.entry, session)
    impact = ledger_impact(session, ctx.actor, view["lines"], result.entry.entry_date)
    draft = {"entry_id": view["id"], "date": view["date"], "memo": view["memo"], "lines": view["lines"],
             "status": view["status"], "anomaly_score": view["anomaly_score"],
             "summary": f"journal entry {view['id']} ({view['memo']})"}
    data = {"entry": draft, "impact": impact}
    approval: ApprovalRequest | None = result.approval
    if approval is None:  # only possible if policy data let it through; the card then shows it as done
        return ToolOutput(f"{verb} {view['id']} is {view['status']}", data)
    card = approval_card(session, approval, draft, {"accounts": impact})
    data["approval_id"] = approval.id
    return ToolOutput(
        f"{verb} {view['id']} dated {view['date']} is prepared and waits for approval by {', '.join(card.approvers)} "
        f"(approval {approval.id}); nothing is posted until then",
        data, approval=card)


def propose_entry(ctx: ToolContext, draft: DraftJournalEntry) -> ToolOutput:
    with ctx.db.unit_of_work() as session:
        cmd = resolve_journal_entry(draft, session, ctx.actor.tenant, ctx.today, key_prefix=_key_prefix(ctx))
        result = submit_journal_entry(cmd, ctx.actor, session, source=SOURCE, require_human_approval=True,
                                      scorer=ctx.anomaly_scorer)
        return _output(session, ctx, result, "Journal entry")


def propose_reversal_of(ctx: ToolContext, q: ReverseEntry) -> ToolOutput:
    with ctx.db.unit_of_work() as session:
        day = resolve_as_of(q.date, ctx.today) if q.date else None
        cmd = ReverseJournalEntry(entry_id=q.entry_id, date=day,
                                  idempotency_key=f"{_key_prefix(ctx)}:reverse:{q.entry_id}")
        result = reverse_journal_entry(cmd, ctx.actor, session, require_human_approval=True,
                                       scorer=ctx.anomaly_scorer)
        return _output(session, ctx, result, "Reversal")
