"""Slack gets the answer's tables as blocks (aligned monospace, or fields for a short two-column table) and its
suggestions as buttons, in the reply's final update."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from agent.events import Done, Event, Suggestions, Table, Token
from server.slack.blocks import SUGGEST_ACTION, table_blocks, table_text
from server.slack.streaming import StreamingReply

TITLE = "Trial balance as of 31 Oct 2026"
COLUMNS = ["Account", "Name", "Debit", "Credit"]
ROWS = [["1010", "Cash - Operating", "17,895,380.60", ""], ["2010", "Accounts Payable", "", "4,123,584.96"],
        ["", "Total (USD)", "142,062,122.50", "142,062,122.50"]]
TRIAL: dict[str, Any] = {"title": TITLE, "columns": COLUMNS, "rows": ROWS}


def test_figures_are_right_aligned_and_names_left_aligned() -> None:
    lines = table_text(COLUMNS, ROWS).split("\n")
    assert lines[0].startswith("Account  Name") and set(lines[1]) <= {"-", " "}
    width = len(lines[4])
    assert lines[2].index("17,895,380.60") + len("17,895,380.60") == lines[4].index("142,062,122.50") + 14
    assert lines[3].endswith("4,123,584.96") and len(lines[3]) == width  # the credit column ends where totals do


def test_long_tables_are_cut_at_whole_rows() -> None:
    rows = [[str(i), f"Account {i}", "1,000.00", ""] for i in range(400)]
    text = table_text(COLUMNS, rows)
    assert len(text) < 2900 and text.endswith("more rows")


def test_a_short_two_column_table_is_fields() -> None:
    (block,) = table_blocks({"title": "KPIs", "columns": ["KPI", "Value"], "rows": [["Revenue", "5,235,405.78 USD"]]})
    assert block["fields"] == [{"type": "mrkdwn", "text": "*Revenue*\n5,235,405.78 USD"}]
    title, body = table_blocks(TRIAL)
    assert body["text"]["text"].startswith("```Account") and title["text"]["text"] == f"*{TRIAL['title']}*"


class FakeClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def chat_postMessage(self, **params: Any) -> dict[str, Any]:
        self.calls.append(("chat.postMessage", params))
        return {"ts": "1.0"}

    async def chat_update(self, **params: Any) -> dict[str, Any]:
        self.calls.append(("chat.update", params))
        return {"ok": True}


async def _events() -> AsyncIterator[Event]:
    yield Token(text="Trial balance as of 31 October 2026: balanced.")
    yield Table(title=TITLE, columns=COLUMNS, rows=ROWS)
    yield Suggestions(items=["Show the balance sheet as of 31 October 2026"])
    yield Done(thread_id="t")


def test_the_final_update_carries_the_tables_and_suggestions() -> None:
    client = FakeClient()
    reply = StreamingReply(client, "C1", "0.1", min_interval_s=60)  # type: ignore[arg-type]

    async def run() -> None:
        await reply.open()
        await reply.consume(_events())

    asyncio.run(run())
    final = [params for name, params in client.calls if name == "chat.update"][-1]
    kinds = [b["type"] for b in final["blocks"]]
    assert kinds == ["section", "section", "section", "actions"]
    assert final["blocks"][0]["text"]["text"] == final["text"] == "Trial balance as of 31 October 2026: balanced."
    button = final["blocks"][-1]["elements"][0]
    assert button["action_id"].startswith(SUGGEST_ACTION) and button["value"].startswith("Show the balance sheet")


def test_an_approval_impact_reads_as_lines_not_a_dict() -> None:
    from server.slack.blocks import approval_blocks, impact_lines

    accounts = {"accounts": [{"account_code": "6100", "account_name": "Rent Expense", "currency": "USD",
                              "before": "1008000.00", "change": "+42000.00", "after": "1050000.00"}]}
    assert impact_lines(accounts) == ["6100 Rent Expense: 1,008,000.00 → 1,050,000.00 USD (+42,000.00)"]
    assert impact_lines({"opportunity": {"amount": {"from": "50000.00", "to": "60000.00"}}}) == \
        ["Amount: 50,000.00 → 60,000.00"]
    assert impact_lines({"leave": [{"leave_type": "annual", "days": 3, "manager": "paul.taylor@acme"}]}) == \
        ["Leave type annual, Days 3, Manager paul.taylor@acme"]
    assert impact_lines({"commitment": {"vendor": "V001", "amount": "80000.00", "currency": "USD"}}) == \
        ["Vendor: V001", "Amount: 80,000.00", "Currency: USD"]
    blocks = approval_blocks({"approval_id": "a1", "summary": "rent"}, impact=accounts)
    impact_text = next(b["text"]["text"] for b in blocks if b["type"] == "section" and "Impact" in b["text"]["text"])
    assert "{" not in impact_text and "account_code" not in impact_text
