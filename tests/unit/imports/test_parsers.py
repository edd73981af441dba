"""Journal file parsers: every problem located at file:line, entries grouped and interpolated like beancount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from erp_core.errors import NexusError
from erp_core.imports.beancount import account_type, parse_beancount
from erp_core.imports.journal_csv import parse_journal_csv

CSV = """date,entry,account_code,debit,credit,currency,memo
2025-01-02,J1,1010,"1,000.00",,USD,Owner investment
2025-01-02,J1,3010,,1000.00,USD,
2025-02-01,J2,6100,25.5,,USD,"Rent, February"
2025-02-01,J2,1010,,25.5,USD,
"""


def test_csv_rows_with_one_entry_id_form_one_entry() -> None:
    ledger = parse_journal_csv(CSV, "j.csv")
    assert ledger.issues == []
    assert [e.key for e in ledger.entries] == ["import:J1", "import:J2"]
    first = ledger.entries[0]
    assert first.date == dt.date(2025, 1, 2) and first.memo == "Owner investment" and first.where == "j.csv:2"
    assert [(line.account, line.debit, line.credit) for line in first.lines] == [
        ("1010", Decimal("1000.00"), None), ("3010", None, Decimal("1000.00"))]
    assert ledger.entries[1].memo == "Rent, February"


def test_csv_reports_every_bad_row_with_its_line() -> None:
    text = ("date,entry,account_code,debit,credit,currency,memo\n"
            "2025-13-01,A,1010,1,,USD,x\n"
            "2025-01-01,B,1010,abc,,USD,x\n"
            "2025-01-01,C,,1,,USD,x\n"
            "2025-01-01,D,1010,1,,USD,x\n"
            "2025-01-02,D,3010,,1,USD,x\n")
    ledger = parse_journal_csv(text, "bad.csv")
    assert [(i.code, i.field) for i in ledger.issues] == [
        ("bad_date", "bad.csv:2"), ("bad_amount", "bad.csv:3"), ("missing_account", "bad.csv:4"),
        ("date_differs", "bad.csv:6")]
    assert ledger.entries == []  # an entry with an unreadable row is not validated further


def test_csv_header_must_name_the_documented_columns() -> None:
    with pytest.raises(NexusError) as caught:
        parse_journal_csv("date,account,amount\n2025-01-01,1010,5\n", "h.csv")
    assert {i.code for i in caught.value.issues} == {"missing_columns", "unknown_columns"}
    assert all(i.field == "h.csv:1" for i in caught.value.issues)


BEAN = """option "title" "Test"
* Heading
2024-01-01 open Assets:Bank:Checking USD
2024-01-01 open Equity:Opening-Balances
2024-01-01 * "Opening"   ; comment
  Assets:Bank:Checking   1,000.00 USD
  Equity:Opening-Balances
2024-01-15 * "Shop" "Groceries" #food ^link
  receipt: "r-1"
  Expenses:Food   12.50 USD
  Assets:Bank:Checking  -12.50 USD
2024-01-15 * "Shop" "Groceries" #food
  Expenses:Food   12.50 USD
  Assets:Bank:Checking  -12.50 USD
2024-02-01 balance Assets:Bank  975.00 USD
2024-03-01 close Assets:Bank:Checking
2024-01-01 commodity USD
"""


def test_beancount_transactions_directives_and_interpolation() -> None:
    ledger = parse_beancount(BEAN, "l.beancount")
    assert ledger.issues == []
    assert [o.name for o in ledger.opens] == ["Assets:Bank:Checking", "Equity:Opening-Balances"]
    opening, first, second = ledger.entries
    assert opening.where == "l.beancount:5"
    assert [(line.account, line.debit, line.credit) for line in opening.lines] == [
        ("Assets:Bank:Checking", Decimal("1000.00"), None), ("Equity:Opening-Balances", None, Decimal("1000.00"))]
    assert first.memo == "Shop - Groceries"
    # identical transactions get distinct, stable keys
    assert first.key != second.key and second.key.endswith("#2") and first.key.startswith("bean:")
    assert parse_beancount(BEAN, "l.beancount").entries[1].key == first.key
    (assertion,) = ledger.assertions
    assert (assertion.account, assertion.amount, assertion.where) == ("Assets:Bank", Decimal("975.00"),
                                                                       "l.beancount:15")
    assert [c.name for c in ledger.closes] == ["Assets:Bank:Checking"]


def test_beancount_reports_what_a_general_ledger_cannot_hold() -> None:
    text = """2024-01-01 * "fx"
  Assets:Cash  -10 USD
  Expenses:Misc  5 EUR @ 2 USD
2024-01-02 pad Assets:Cash Equity:Opening
2024-01-03 * "two blanks"
  Assets:Cash
  Expenses:Misc
include "other.beancount"
2024-01-04 frobnicate
"""
    ledger = parse_beancount(text, "x.bean")
    assert [(i.code, i.field) for i in ledger.issues] == [
        ("unsupported", "x.bean:3"), ("unsupported", "x.bean:4"), ("syntax", "x.bean:5"),
        ("unsupported", "x.bean:8"), ("syntax", "x.bean:9")]
    assert ledger.entries == []


def test_account_types_come_from_the_root() -> None:
    assert [account_type(n) for n in ("Assets:A", "Liabilities:B", "Equity:C", "Income:D", "Expenses:E")] == [
        "asset", "liability", "equity", "revenue", "expense"]


def test_csv_entry_ids_and_keys_round_trip() -> None:
    from erp_core.imports.journal_csv import csv_entry, entry_key

    for key in ("import:J1", "bean:0a1b2c", "import:bean:x", "api-key-without-namespace:1"):
        assert entry_key(csv_entry(key)) == key
    assert csv_entry("import:J1") == "J1" and entry_key("J1") == "import:J1"
