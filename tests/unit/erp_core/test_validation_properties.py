"""Property tests of entry validation (pure, no database): what is accepted balances; every mutation is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from erp_core.ledger.commands import JournalLineIn, PostJournalEntry
from erp_core.ledger.models import AccountType
from erp_core.ledger.validation import AccountInfo, LedgerContext, validate_entry

ACCOUNTS = {
    "1010": AccountInfo(1, "1010", AccountType.ASSET, True, True, "USD"),
    "2010": AccountInfo(2, "2010", AccountType.LIABILITY, True, True, "USD"),
    "4010": AccountInfo(3, "4010", AccountType.REVENUE, True, True, "USD"),
    "6100": AccountInfo(4, "6100", AccountType.EXPENSE, True, True, "USD"),
    "1011": AccountInfo(5, "1011", AccountType.ASSET, True, True, "EUR"),
    "1012": AccountInfo(8, "1012", AccountType.ASSET, True, True, "EUR"),
    "6000": AccountInfo(6, "6000", AccountType.EXPENSE, False, True, "USD"),  # header
    "6999": AccountInfo(7, "6999", AccountType.EXPENSE, True, False, "USD"),  # inactive
}
OPEN_DAY, CLOSED_DAY = dt.date(2026, 10, 15), dt.date(2026, 8, 15)
CTX = LedgerContext(
    "USD",
    ACCOUNTS,
    lambda day: {(2026, 10): "open", (2026, 8): "closed"}.get((day.year, day.month)),
    lambda currency, day: Decimal("1.1") if currency == "EUR" else None,
)
USD_CODES = ["1010", "2010", "4010", "6100"]
cents = st.integers(min_value=1, max_value=10**9)


def money(units: int) -> Decimal:
    return Decimal(units).scaleb(-2)


@st.composite
def balanced_entries(draw: st.DrawFn) -> PostJournalEntry:
    """Random valid entries: debits in one or two currencies, each closed by credits of the same total."""
    lines: list[JournalLineIn] = []
    # Debits and credits use different accounts: one amount debited and credited to one account is refused as a
    # self-cancelling pair.
    for currency, codes, credit_codes in (("USD", USD_CODES[:2], USD_CODES[2:]), ("EUR", ["1011"], ["1012"])):
        if currency == "EUR" and not draw(st.booleans()):
            continue
        debits = draw(st.lists(cents, min_size=1, max_size=4))
        credits = draw(st.lists(cents, min_size=1, max_size=4))
        # Scale the credits so both sides carry the same total exactly, pushing the remainder into the last leg.
        total = sum(debits)
        parts = [max(1, total * c // sum(credits)) for c in credits[:-1]]
        if sum(parts) >= total:
            parts = []
        parts.append(total - sum(parts))
        lines += [
            JournalLineIn(account_code=draw(st.sampled_from(codes)), debit=money(d), currency=currency) for d in debits
        ]
        lines += [
            JournalLineIn(account_code=draw(st.sampled_from(credit_codes)), credit=money(c), currency=currency)
            for c in parts
        ]
    order = draw(st.permutations(range(len(lines))))
    return PostJournalEntry(date=OPEN_DAY, memo="generated", idempotency_key="k", lines=[lines[i] for i in order])


def totals(cmd: PostJournalEntry) -> dict[str, tuple[Decimal, Decimal]]:
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for line in cmd.lines:
        debit, credit = out.get(line.currency, (Decimal(0), Decimal(0)))
        out[line.currency] = (debit + (line.debit or 0), credit + (line.credit or 0))
    return out


@settings(deadline=None)  # no wall-clock limits: CI machines are shared and busy
@given(balanced_entries())
def test_generated_balanced_entries_are_accepted(cmd: PostJournalEntry) -> None:
    valid, issues = validate_entry(cmd, CTX)
    assert issues == [] and valid is not None
    assert all(debit == credit for debit, credit in totals(cmd).values())
    usd_debits = sum((line.debit or 0 for line in cmd.lines if line.currency == "USD"), Decimal(0))
    eur_debits = sum((line.debit or 0 for line in cmd.lines if line.currency == "EUR"), Decimal(0))
    assert valid.functional_amount == usd_debits + (eur_debits * Decimal("1.1")).quantize(Decimal("0.01"))


@settings(deadline=None)  # no wall-clock limits: CI machines are shared and busy
@given(st.lists(st.tuples(st.sampled_from(USD_CODES), st.booleans(), cents), min_size=0, max_size=6))
def test_whatever_is_accepted_balances(raw: list[tuple[str, bool, int]]) -> None:
    cmd = PostJournalEntry(
        date=OPEN_DAY,
        memo="m",
        idempotency_key="k",
        lines=[
            JournalLineIn(account_code=code, currency="USD", **{"debit" if is_debit else "credit": money(units)})
            for code, is_debit, units in raw
        ],
    )
    valid, issues = validate_entry(cmd, CTX)
    balanced = all(d == c for d, c in totals(cmd).values())
    debited = {(code, units) for code, is_debit, units in raw if is_debit}
    self_cancelling = any((code, units) in debited for code, is_debit, units in raw if not is_debit)
    assert (valid is not None) == (balanced and len(raw) >= 2 and not self_cancelling)
    if valid is None:
        assert issues


MUTATIONS = [
    "drop_leg",
    "change_amount",
    "closed_period",
    "missing_period",
    "inactive_account",
    "header_account",
    "unknown_account",
    "both_sides",
    "negative",
    "too_precise",
    "wrong_currency",
]


def mutate(cmd: PostJournalEntry, how: str, index: int) -> PostJournalEntry:
    lines = list(cmd.lines)
    i = index % len(lines)
    line = lines[i]
    amount = line.debit if line.debit is not None else line.credit
    assert amount is not None
    side = "debit" if line.debit is not None else "credit"
    if how == "drop_leg":
        del lines[i]
    elif how == "change_amount":
        lines[i] = line.model_copy(update={side: amount + Decimal("0.01")})
    elif how == "closed_period":
        return cmd.model_copy(update={"date": CLOSED_DAY})
    elif how == "missing_period":
        return cmd.model_copy(update={"date": dt.date(2027, 1, 1)})
    elif how in ("inactive_account", "header_account", "unknown_account"):
        code = {"inactive_account": "6999", "header_account": "6000", "unknown_account": "0000"}[how]
        lines[i] = line.model_copy(update={"account_code": code, "currency": "USD"})
    elif how == "both_sides":
        lines[i] = line.model_copy(update={"debit": amount, "credit": amount})
    elif how == "negative":
        lines[i] = line.model_copy(update={side: -amount})
    elif how == "too_precise":
        lines[i] = line.model_copy(update={side: amount + Decimal("0.001")})
    elif how == "wrong_currency":
        lines[i] = line.model_copy(update={"currency": "EUR" if line.currency == "USD" else "USD"})
    return cmd.model_copy(update={"lines": lines})


@settings(deadline=None)  # no wall-clock limits: CI machines are shared and busy
@given(balanced_entries(), st.sampled_from(MUTATIONS), st.integers(min_value=0, max_value=50))
def test_every_mutation_of_a_valid_entry_is_refused(cmd: PostJournalEntry, how: str, index: int) -> None:
    valid, issues = validate_entry(mutate(cmd, how, index), CTX)
    assert valid is None and issues


def test_all_issues_are_reported_at_once() -> None:
    cmd = PostJournalEntry(
        date=CLOSED_DAY,
        memo=" ",
        idempotency_key="k",
        lines=[
            JournalLineIn(account_code="6000", debit=Decimal("1.001"), currency="USD"),
            JournalLineIn(account_code="nope", credit=Decimal("5"), currency="USD", dimensions={"colour": "red"}),
        ],
    )
    valid, issues = validate_entry(cmd, CTX)
    assert valid is None
    assert sorted(issue.code for issue in issues) == [
        "account_not_postable",
        "invalid_amount",
        "memo_required",
        "period_closed",
        "unbalanced",
        "unknown_account",
        "unknown_dimension",
    ]
    assert {issue.field for issue in issues} >= {"lines[0].account_code", "lines[1].dimensions.colour", "date"}


def test_foreign_currency_without_rate_is_refused() -> None:
    ctx = LedgerContext("USD", ACCOUNTS, CTX.period_status)
    cmd = PostJournalEntry(
        date=OPEN_DAY,
        memo="m",
        idempotency_key="k",
        lines=[
            JournalLineIn(account_code="1011", debit=Decimal(5), currency="EUR"),
            JournalLineIn(account_code="1012", credit=Decimal(5), currency="EUR"),
        ],
    )
    assert [issue.code for issue in validate_entry(cmd, ctx)[1]] == ["fx_rate_missing"]
