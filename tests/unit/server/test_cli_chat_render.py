"""The terminal chat shows a ``table`` event as Markdown and suggestions as one line."""

from __future__ import annotations

from cli.chat import _render, parse_sse


def test_table_and_suggestion_events_render_as_text() -> None:
    lines = ["event: table",
             'data: {"title": "Headcount", "columns": ["Department", "Headcount"], "rows": [["ENG", "44"]]}', "",
             "event: suggestions", 'data: {"items": ["Headcount by department", "Who reports to Carol?"]}', ""]
    (table_event, table), (chips_event, chips) = list(parse_sse(iter(lines)))
    assert _render(table_event, table) == ("\n\n**Headcount**\n\n| Department | Headcount |\n|---|---|\n"
                                           "| ENG | 44 |\n")
    assert _render(chips_event, chips) == "\n[try: Headcount by department | Who reports to Carol?]\n"
