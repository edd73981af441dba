"""A split read back as the one row asked for ("which month was the highest?")."""

from __future__ import annotations

import datetime as dt

from tools.analysis import present_breakdown

DATA = {"currency": "USD", "by": "month", "total": {"amount": "252878.60"},
        "rows": [{"label": "April 2026", "amount": "177649.56"}, {"label": "May 2026", "amount": "67076.00"},
                 {"label": "June 2026", "amount": "8153.04"}]}
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def test_the_highest_month_is_one_sentence_not_the_split_again() -> None:
    shown = present_breakdown(DATA, *Q2, "Travel Expense (6200)", "highest")
    assert shown.headline == ("April 2026 had the highest amount of Travel Expense (6200) in Q2 2026 (Apr–Jun): "
                              "177,649.56 USD (total 252,878.60 USD).")
    assert shown.tables == ()
    lowest = present_breakdown(DATA, *Q2, "Travel Expense (6200)", "lowest")
    assert lowest.headline.startswith("June 2026 had the lowest amount") and "8,153.04 USD" in lowest.headline


def test_without_a_pick_the_split_is_a_table_naming_its_extremes() -> None:
    shown = present_breakdown(DATA, *Q2, "Travel Expense (6200)")
    assert "Highest amount: April 2026 (177,649.56 USD); lowest: June 2026 (8,153.04 USD)." in shown.headline
    assert len(shown.tables) == 1 and len(shown.tables[0].rows) == 3
