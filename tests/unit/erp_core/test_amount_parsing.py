"""Amount parsing refuses what a person does not mean by an amount, with a typed code and never an arithmetic error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from erp_core.ledger.commands import JournalLineIn, PostJournalEntry
from erp_core.ledger.models import AccountType
from erp_core.ledger.validation import AccountInfo, LedgerContext, canonical_payload, validate_entry
from erp_core.money import AmountTooLarge, MoneyError, parse_amount

ACCOUNTS = {code: AccountInfo(i, code, kind, True, True, "USD")
            for i, (code, kind) in enumerate([("1010", AccountType.ASSET), ("6100", AccountType.EXPENSE)])}
CTX = LedgerContext("USD", ACCOUNTS, lambda _day: "open", departments=frozenset({"OPS", "ENG"}))


@pytest.mark.parametrize("text", ["1e5", "1E+30", " 100", "100 ", "１００", "٣", "1_000", "+5", "0x10", "", "1.",
                                  ".5", "NaN", "Infinity", "1,000.00", "10\x00"])
def test_text_that_is_not_a_plain_decimal_is_an_invalid_amount(text: str) -> None:
    with pytest.raises(MoneyError) as err:
        parse_amount(text, "USD")
    assert err.value.code == "invalid_amount"


@pytest.mark.parametrize("value", ["100000000000000000000000000", "9" * 400, 10**30, Decimal("1E+30"),
                                   Decimal("-1E+400")])
def test_huge_amounts_are_too_large_not_an_arithmetic_error(value: object) -> None:
    with pytest.raises(AmountTooLarge) as err:
        parse_amount(value, "USD")
    assert err.value.code == "amount_too_large"


def test_plain_amounts_parse_exactly() -> None:
    assert parse_amount("1250.5", "USD") == Decimal("1250.50")
    assert parse_amount("-3", "JPY") == Decimal(-3)
    assert parse_amount(Decimal("1E+3"), "USD") == Decimal("1000.00")
    with pytest.raises(MoneyError):
        parse_amount("0." + "0" * 300 + "1", "USD")


@pytest.mark.parametrize(("text", "code"), [("1e5", "invalid_amount"), (" 100", "invalid_amount"),
                                            ("１００", "invalid_amount"), ("1" * 400, "amount_too_large"),
                                            ("100000000000000000000000000", "amount_too_large")])
def test_the_command_schema_refuses_with_the_ledger_code(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as err:
        JournalLineIn(account_code="6100", debit=text, currency="USD")
    assert err.value.errors()[0]["type"] == code


def entry(*lines: JournalLineIn, memo: str = "rent") -> PostJournalEntry:
    return PostJournalEntry(date=dt.date(2026, 10, 5), memo=memo, idempotency_key="k", lines=list(lines))


def codes_of(cmd: PostJournalEntry) -> list[str]:
    valid, issues = validate_entry(cmd, CTX)
    assert (valid is None) == bool(issues)
    return sorted(issue.code for issue in issues)


def test_huge_decimals_built_in_code_become_issues_and_the_payload_still_builds() -> None:
    huge = Decimal("1E+30")
    cmd = entry(JournalLineIn(account_code="6100", debit=huge, currency="USD"),
                JournalLineIn(account_code="1010", credit=huge, currency="USD"))
    assert canonical_payload(cmd)["lines"][0]["debit"].startswith("1000000000")
    assert codes_of(cmd) == ["amount_too_large", "amount_too_large"]


def test_control_characters_in_the_memo_are_refused_tabs_and_newlines_are_not() -> None:
    lines = (JournalLineIn(account_code="6100", debit=Decimal(5), currency="USD"),
             JournalLineIn(account_code="1010", credit=Decimal(5), currency="USD"))
    assert codes_of(entry(*lines, memo="rent\x00")) == ["invalid_characters"]
    assert codes_of(entry(*lines, memo="rent\x1b[31m")) == ["invalid_characters"]
    assert codes_of(entry(*lines, memo="rent\u0085")) == ["invalid_characters"]
    assert codes_of(entry(*lines, memo="rent\n\tOctober")) == []


def test_department_must_be_one_of_the_tenants() -> None:
    def with_department(value: str) -> PostJournalEntry:
        return entry(JournalLineIn(account_code="6100", debit=Decimal(5), currency="USD",
                                   dimensions={"department": value}),
                     JournalLineIn(account_code="1010", credit=Decimal(5), currency="USD"))

    assert codes_of(with_department("OPS")) == []
    assert codes_of(with_department("QUANTUM")) == ["unknown_department"]
    assert codes_of(with_department("OPS\x00")) == ["invalid_characters"]
    assert codes_of(with_department(" OPS")) == ["invalid_characters"]


def test_debit_and_credit_of_one_amount_to_one_account_is_refused() -> None:
    same = entry(JournalLineIn(account_code="6100", debit=Decimal(5), currency="USD"),
                 JournalLineIn(account_code="6100", credit=Decimal(5), currency="USD"))
    assert codes_of(same) == ["self_cancelling_lines"]
    # Moving a cost between departments of one account is a reclassification, not a no-op.
    moved = entry(JournalLineIn(account_code="6100", debit=Decimal(5), currency="USD",
                                dimensions={"department": "ENG"}),
                  JournalLineIn(account_code="6100", credit=Decimal(5), currency="USD",
                                dimensions={"department": "OPS"}))
    assert codes_of(moved) == []
