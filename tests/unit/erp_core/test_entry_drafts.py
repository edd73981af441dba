"""Journal entries drafted from the request's words: which account is debited and which credited, by how much."""

from __future__ import annotations

import pytest

from erp_core.resolve.entry_drafts import draft_entry


def _sides(request: str) -> tuple[str, str, str] | None:
    drafted = draft_entry(request)
    if drafted is None:
        return None
    debit, credit = drafted["lines"]
    assert debit["debit"] == credit["credit"]  # balanced by construction
    return debit["account"], credit["account"], debit["debit"]


@pytest.mark.parametrize(("request_text", "sides"), [
    ("Post the November rent accrual of 42000", ("rent", "accrued liabilities", "42000.00")),
    ("Post the December utilities accrual of 12k", ("utilities", "accrued liabilities", "12000.00")),
    ("Accrue 8,500 of professional fees for the November audit work",
     ("professional fees", "accrued liabilities", "8500.00")),
    ("Record depreciation of 12,000 for November", ("depreciation expense", "accumulated depreciation", "12000.00")),
    ("Book 1,500 of travel paid from cash", ("travel", "cash", "1500.00")),
    ("Book a journal entry: debit travel expense 1,250.00, credit cash 1,250.00 for the Denver trip",
     ("travel expense", "cash", "1250.00")),
    ("Post the November rent accrual of 42000 to rent expense against accrued liabilities",
     ("rent expense", "accrued liabilities", "42000.00")),
    ("Book 120,000.00 of consulting fees: debit professional fees 120,000.00, credit accounts payable 120,000.00",
     ("professional fees", "accounts payable", "120000.00")),
])
def test_the_words_determine_the_entry(request_text: str, sides: tuple[str, str, str]) -> None:
    assert _sides(request_text) == sides


@pytest.mark.parametrize("request_text", [
    "Post the October rent accrual",  # no amount: the model (or a question back) has to supply it
    "Create a journal entry debiting software and crediting cash",
    "What was the rent accrual in October?",
    "Accrue rent of 42,000 and utilities of 3,000",  # two amounts: not one two-line entry
])
def test_what_the_words_do_not_determine_is_left_alone(request_text: str) -> None:
    assert draft_entry(request_text) is None


def test_a_stated_date_is_kept() -> None:
    drafted = draft_entry("Record depreciation for November: debit depreciation expense 12,500.00, credit "
                          "accumulated depreciation 12,500.00, dated 2026-11-13")
    assert drafted is not None and drafted["date"] == "2026-11-13"
