"""Block Kit for approvals (the same card in a DM notification and in a threaded reply), and for the answer's tables
and suggestions."""

from __future__ import annotations

import json
import re
from typing import Any

APPROVE_ACTION = "nexus_approve"
REJECT_ACTION = "nexus_reject"
SUGGEST_ACTION = "nexus_suggest"
SECTION_TEXT = 2900  # Slack refuses a section text over 3,000 characters
_FIGURE = re.compile(r"^[-\u2212]?[\d,]+(\.\d+)?(\s?(%|[A-Z]{3}|days?))?$")


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
        lines = [f"• {_escape(line)}" for line in impact_lines(impact)[:10]]
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


def impact_lines(impact: dict[str, Any]) -> list[str]:
    """What a proposal changes, one line each as a person reads it (never a dict's repr): an account's balance
    before and after, a field's old and new value, a leave request's days."""
    lines: list[str] = []
    for key, value in impact.items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            lines.extend(_record_line(item) for item in value)
        elif isinstance(value, dict):
            for name, item in value.items():
                if isinstance(item, dict) and "to" in item:
                    lines.append(f"{_words(name)}: {_figure(item.get('from'))} → {_figure(item['to'])}")
                else:
                    lines.append(f"{_words(name)}: {_figure(item)}")
        else:
            lines.append(f"{_words(key)}: {_figure(value)}")
    return lines


def _record_line(record: dict[str, Any]) -> str:
    if {"account_code", "before", "after"} <= record.keys():
        currency = f" {record['currency']}" if record.get("currency") else ""
        return (f"{record['account_code']} {record.get('account_name') or ''}: {_figure(record['before'])} → "
                f"{_figure(record['after'])}{currency} ({_figure(record.get('change'))})")
    return ", ".join(f"{_words(name)} {_figure(item)}" for name, item in record.items())


def _words(key: str) -> str:
    text = str(key).replace("_", " ")
    return text[:1].upper() + text[1:]


_PLAIN_DECIMAL = re.compile(r"^([+-]?)(\d+)(\.\d+)?$")


def _figure(value: Any) -> str:
    """A plain decimal ("1008000.00", "+42000.00") with thousands separators; anything else as it is."""
    text = "none" if value is None else str(value)
    match = _PLAIN_DECIMAL.match(text)
    return f"{match[1]}{int(match[2]):,}{match[3] or ''}" if match else text


def decided_blocks(view: dict[str, Any], decision: str, who: str) -> list[dict[str, Any]]:
    """What the card becomes once decided: no buttons, the outcome in words."""
    summary = _escape(str(view.get("summary") or ""))
    return [{"type": "section", "text": {"type": "mrkdwn",
                                         "text": f"*{decision.capitalize()}* by {who}: {summary} "
                                                 f"({_money(view)}) — status *{view.get('status')}*"}}]


def table_text(columns: list[str], rows: list[list[str]], limit: int = SECTION_TEXT - 8) -> str:
    """A table as aligned monospace text (figures right-aligned), cut to whole rows within ``limit`` characters."""
    cells = [list(columns), *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    numeric = [any(row[i] for row in cells[1:]) and all(_FIGURE.match(row[i]) or not row[i] for row in cells[1:])
               for i in range(len(columns))]

    def line(row: list[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(row, widths, numeric, strict=True)).rstrip()

    lines = [line(cells[0]), "  ".join("-" * w for w in widths)]
    for shown, row in enumerate(cells[1:]):
        text = line(row)
        if sum(len(x) + 1 for x in lines) + len(text) + 40 > limit:
            lines.append(f"… {len(rows) - shown} more rows")
            break
        lines.append(text)
    return "\n".join(lines)


def table_blocks(table: dict[str, Any]) -> list[dict[str, Any]]:
    """A ``table`` event as blocks: a short two-column table as section fields, any other as a preformatted block."""
    title = {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_escape(str(table.get('title', '')))}*"}}
    columns, rows = list(table.get("columns", [])), list(table.get("rows", []))
    if len(columns) == 2 and 0 < len(rows) <= 5:
        fields = [{"type": "mrkdwn", "text": f"*{_escape(str(label))}*\n{_escape(str(value))}"[:1900]}
                  for label, value in rows]
        return [title | {"fields": fields}]
    body = table_text(columns, rows).replace("`", "'")
    return [title, {"type": "section", "text": {"type": "mrkdwn", "text": f"```{_escape(body)}```"}}]


def suggestion_blocks(items: list[str]) -> list[dict[str, Any]]:
    """Suggested follow-ups as buttons; pressing one asks it in the thread (``SUGGEST_ACTION``)."""
    if not items:
        return []
    return [{"type": "actions", "block_id": "suggestions", "elements": [
        {"type": "button", "action_id": f"{SUGGEST_ACTION}:{i}", "value": text[:2000],
         "text": {"type": "plain_text", "text": text[:75]}} for i, text in enumerate(items[:5])]}]


def answer_blocks(text: str, tables: list[dict[str, Any]], suggestions: list[str]) -> list[dict[str, Any]]:
    """The whole answer as blocks: its text, each table, then the suggestions (Slack allows 50 blocks)."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_TEXT]}}]
    for table in tables:
        blocks += table_blocks(table)
    return (blocks[:48] + suggestion_blocks(suggestions))[:50]


def _escape(text: str) -> str:
    # Slack mrkdwn control characters: model or user text must not become links or mentions.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
