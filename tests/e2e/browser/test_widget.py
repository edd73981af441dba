"""The chat widget in headless Chromium against a real server: streamed answers with tool activity, a rendered
table and citations; the approval card approves a real pending journal entry; feedback; the approvals badge.

Screenshots are kept in test-artifacts/widget/."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from agent.backends.scripted import ScriptedChat
from agent.events import Citation, Done, Suggestions, Table, Token, ToolCall, ToolResult
from erp_core.ledger.models import JournalEntry
from server.app import create_app
from server.bootstrap import build_container
from server.feedback import Feedback
from server.settings import Settings

ANSWER = ("**Rent** for October:\n\n| Account | Amount |\n|---|---|\n| 6100 Rent Expense | 42,000.00 USD |\n\n"
          "Model text cannot inject markup: <img src=x onerror=alert(1)>")


FORECAST = Table(title="Forecast of revenue (USD)", columns=["Month", "Value", "", "Low", "High"],
                 rows=[["September 2026", "5,985,873.26 USD", "actual", "", ""],
                       ["October 2026", "5,235,405.78 USD", "actual", "", ""],
                       ["November 2026", "5,127,039.42 USD", "forecast", "3,253,677.56 USD", "7,000,401.27 USD"]],
                 series={"label": "revenue", "points": [["September 2026", "5985873.26"],
                                                        ["October 2026", "5235405.78"],
                                                        ["November 2026", "5127039.42"]]})

REASON = "past close date (2026-11-28, 8 days ago); stalled: 46 days in stage proposal; no activity for 53 days"
AT_RISK = Table(title="Deals at risk", columns=["Deal", "Customer", "Stage", "Amount", "Owner", "Why"],
                rows=[[f"Northwind - Pilot cell {n}", "Northwind Logistics", "proposal", "600,700.00 USD",
                       "arjun.brown@acme", REASON] for n in range(3)])


@pytest.fixture()
def server(kit: Any, tmp_path: Path) -> Any:
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", notify_poll_s=0.3)  # type: ignore[call-arg]
    created: list[dict[str, Any]] = []
    threads: list[str] = []

    def script(actor: Any, message: str, thread_id: str) -> list[Any]:
        threads.append(thread_id)
        if "forecast" in message.lower():
            return [Token(text="Forecast of revenue: November 2026 5,127,039.42 USD."), FORECAST,
                    Suggestions(items=["Show the trial balance"]), Done(thread_id=thread_id)]
        if "risk" in message.lower():
            return [Token(text="3 open deals are at risk."), AT_RISK, Done(thread_id=thread_id)]
        if "propose" in message.lower():
            view = kit.submit_entry(container.db, "acme", memo=f"Office rent October {uuid.uuid4().hex[:6]}")
            created.append(view)
            approval = kit.approval_event(view)
            return [Token(text="I drafted the entry; it needs a controller's approval."), approval,
                    Done(thread_id=thread_id, extra={"pending_approval": approval.approval_id})]
        return [ToolCall(id="t1", tool="account_balance", args={"code": "6100"}),
                ToolResult(id="t1", ok=True, summary="6100 balance 42,000.00 USD"),
                Citation(doc_id="lease-hq", chunk_id="c1", title="HQ lease agreement", snippet="monthly rent"),
                *kit.words(ANSWER, thread_id)]

    container = build_container(settings, chat_model=ScriptedChat(["unused"], cycle=True),
                                turns=lambda _models: kit.ScriptedTurns(script))
    kit.setup_company(container.db, "acme")
    with kit.ServerThread(create_app(container, load_model=False)) as running:
        running.container = container
        running.created = created
        running.threads = threads
        yield running


def widget(page: Any, base_url: str, user: str = "carol@acme") -> Any:
    page.goto(f"{base_url}/?user={user}")
    page.wait_for_selector("#nexus-widget .panel")
    return page.locator("#nexus-widget")


def ask(root: Any, text: str) -> None:
    root.locator("textarea").fill(text)
    root.locator("textarea").press("Enter")


def answer_to(root: Any, text: str) -> Any:
    """The assistant's message for ``text``, once complete (its feedback bar is the last thing drawn)."""
    ask(root, text)
    answer = root.locator(".msg.assistant").last
    answer.locator(".feedback").wait_for()
    return answer


def test_ask_streams_a_rendered_answer_with_tools_and_citations(server: Any, page: Any, artifacts: Path) -> None:
    root = widget(page, server.base_url)
    ask(root, "What did we spend on rent in October?")
    answer = root.locator(".msg.assistant").last
    answer.locator(".answer table").wait_for()  # appears while tokens are still arriving
    answer.locator(".feedback").wait_for()  # the turn is done
    assert answer.locator(".answer td").nth(1).inner_text() == "42,000.00 USD"
    assert answer.locator(".answer strong").first.inner_text() == "Rent"
    assert answer.locator(".tool.ok .tool-name").inner_text() == "account_balance"
    assert answer.locator(".citations li").inner_text() == "HQ lease agreement"
    assert answer.locator("img").count() == 0 and "<img src=x" in answer.inner_text()  # shown as text, not markup
    assert server.container.turns.inner.calls[0][0].user_id == "carol@acme"
    answer.locator("button.up").click()
    answer.locator(".thanks").wait_for()
    page.screenshot(path=str(artifacts / "answer.png"))
    with server.container.db.read() as session:
        ratings = [(f.rating, f.user_id) for f in session.scalars(select(Feedback))]
    assert ratings == [("up", "carol@acme")]


def test_propose_then_approve_in_the_card_posts_the_entry(server: Any, page: Any, artifacts: Path) -> None:
    root = widget(page, server.base_url)
    ask(root, "Propose the October rent accrual of 42,000 USD")
    card = root.locator(".approval")
    card.wait_for()
    assert "Office rent October" in card.locator(".memo").inner_text()
    assert card.locator("table.draft tbody tr").count() == 2
    # the impact reads as a table of accounts with figures a person reads, never as JSON
    impact = card.locator(".impact")
    assert impact.locator("table.records th").all_inner_texts() == ["Account", "Before (USD)", "Change (USD)",
                                                                     "After (USD)"]
    rent = impact.locator("tbody tr").first.locator("td").all_inner_texts()
    assert rent[0] == "6100 Rent Expense" and rent[1] == "1,008,000.00" and rent[2].startswith("+")
    assert "{" not in card.inner_text() and "account_code" not in card.inner_text()
    assert "controller" in card.locator(".approvers").inner_text()
    badge = root.locator(".badge")
    page.wait_for_function("() => document.querySelector('#nexus-widget').shadowRoot"
                           ".querySelector('.badge').dataset.count === '1'", timeout=15000)
    page.screenshot(path=str(artifacts / "approval-card.png"))
    # the thread waits for the approval: the widget says so and the next question starts a new conversation
    note = root.locator(".msg.assistant .note").last
    note.wait_for()
    assert "waits for approval" in note.inner_text()
    ask(root, "What is the rent balance?")
    root.locator(".msg.assistant.complete").nth(1).wait_for()
    assert len(server.threads) == 2 and server.threads[1] != server.threads[0]
    card.locator("button.approve").click()
    card.locator(".status", has_text="approved").wait_for()
    page.wait_for_function("() => document.querySelector('#nexus-widget').shadowRoot"
                           ".querySelector('.badge').dataset.count === '0'", timeout=15000)
    assert not badge.is_visible()
    page.screenshot(path=str(artifacts / "approved.png"))
    entry_id = server.created[0]["entry"]["id"]
    with server.container.db.read() as session:
        entry = session.get(JournalEntry, entry_id)
        assert entry is not None and entry.status == "posted" and entry.posted_by == "carol@acme"


def test_a_table_event_is_a_table_with_a_chart_and_suggestions_are_chips(server: Any, page: Any,
                                                                         artifacts: Path) -> None:
    root = widget(page, server.base_url)
    answer = answer_to(root, "Forecast revenue for the next month")
    table = answer.locator(".result-table")
    assert table.locator("figcaption").inner_text() == "Forecast of revenue (USD)"
    assert table.locator("th").all_inner_texts() == ["Month", "Value", "", "Low", "High"]
    value = table.locator("tbody tr").nth(2).locator("td").nth(1)
    assert value.inner_text() == "5,127,039.42 USD"
    assert value.evaluate("cell => getComputedStyle(cell).textAlign") == "right"  # figures right-aligned
    month = table.locator("tbody tr").first.locator("td").first
    assert month.evaluate("cell => getComputedStyle(cell).textAlign") in ("left", "start")
    assert table.locator("svg.chart circle").count() == 3  # one point per period of the series
    page.screenshot(path=str(artifacts / "table.png"))
    chip = answer.locator(".suggestions button.chip")
    assert chip.inner_text() == "Show the trial balance"
    chip.click()
    root.locator(".msg.user").last.wait_for()
    assert root.locator(".msg.user").last.inner_text() == "Show the trial balance"  # the chip sends its text


def test_a_wide_table_keeps_its_reasons_readable_and_the_panel_widens(server: Any, page: Any,
                                                                      artifacts: Path) -> None:
    root = widget(page, server.base_url)
    answer = answer_to(root, "Which deals are at risk?")
    wrap = answer.locator(".table-wrap")
    why = answer.locator("tbody tr").first.locator("td").last
    assert why.evaluate("cell => cell.className") == "long"
    # squeezed into the narrow panel, the reasons still get several words a line: the table scrolls instead
    assert why.evaluate("cell => cell.getBoundingClientRect().width") >= 11 * 12.5
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    narrow = root.locator(".panel").evaluate("p => p.getBoundingClientRect().width")
    root.locator("button.widen").click()
    assert root.locator("button.widen").get_attribute("aria-pressed") == "true"
    assert root.locator(".panel").evaluate("p => p.getBoundingClientRect().width") > narrow + 300
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")  # the whole table in view
    page.screenshot(path=str(artifacts / "wide-table.png"))
