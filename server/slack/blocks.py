"""Block Kit for approvals: the same card in a DM notification and in a threaded reply."""

from __future__ import annotations

import json
from typing import Any

APPROVE_ACTION = "nexus_approve"
REJECT_ACTION = "nexus_reject"


def _money(view: dict[str, Any]) -> str:
    amount, currency = view.get("amount"), view.get("currency")
    return f"{amount} {currency}" if amount and currency else "—"


def approval_blocks(view: dict[str, Any], *, impact: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Blocks for one pending approval (``approval_view`` shape, or the agent's approval_required payload)."""
    approval_id = str(view.get("id") or view.get("approval_id"))
    summary = str(view.get("summary") or (view.get("draft") or {}).get("memo") or view.get("document_type") or "")
    approvers = view.get("approvers") or [
        f"{r.get('count', 1)} × {r.get('role') or r.get('user_id')}" for r in view.get("requirements", [])]
    fields = [{"type": "mrkdwn", "text": f"*Amount*\n{_money(view)}"},
              {"type": "mrkdwn", "text": f"*Prepared by*\n{view.get('preparer_id', '—')}"},
              {"type": "mrkdwn", "text": f"*Approvers*\n{', '.join(map(str, approvers)) or '—'}"},
              {"type": "mrkdwn", "text": f"*Document*\n{view.get('document_type', 'document')}"}]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Approval needed"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _escape(summary)[:2900] or "(no summary)"},
         "fields": fields},
    ]
    if impact:
        lines = [f"• {_escape(str(k))}: {_escape(str(v))}" for k, v in list(impact.items())[:10]]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "*Impact*\n" + "\n".join(lines)}})
    value = json.dumps({"approval_id": approval_id, "payload_hash": view.get("payload_hash")})
    blocks.append({"type": "actions", "block_id": f"approval:{approval_id}", "elements": [
        {"type": "button", "action_id": APPROVE_ACTION, "style": "primary", "value": value,
         "text": {"type": "plain_text", "text": "Approve"}},
        {"type": "button", "action_id": REJECT_ACTION, "style": "danger", "value": value,
         "text": {"type": "plain_text", "text": "Reject"}},
    ]})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"approval `{approval_id}`"}]})
    return blocks


def decided_blocks(view: dict[str, Any], decision: str, who: str) -> list[dict[str, Any]]:
    """What the card becomes once decided: no buttons, the outcome in words."""
    summary = _escape(str(view.get("summary") or ""))
    return [{"type": "section", "text": {"type": "mrkdwn",
                                         "text": f"*{decision.capitalize()}* by {who}: {summary} "
                                                 f"({_money(view)}) — status *{view.get('status')}*"}}]


def _escape(text: str) -> str:
    # Slack mrkdwn control characters: model or user text must not become links or mentions.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
