"""Money as ``Decimal`` + currency, quantized to the currency's minor unit. Never floats.

Amounts are stored as integers of minor units (cents) so SQLite and PostgreSQL hold them exactly.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# ISO 4217 minor units for the currencies the product knows; unknown codes are refused rather than guessed.
MINOR_UNITS: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "SEK": 2, "NOK": 2, "DKK": 2,
    "PLN": 2, "CZK": 2, "INR": 2, "CNY": 2, "SGD": 2, "HKD": 2, "MXN": 2, "BRL": 2, "ZAR": 2,
    "JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3,
}


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""

    code = "invalid_amount"


class AmountTooLarge(MoneyError):
    """An amount with more integer digits than any ledger total can hold."""

    code = "amount_too_large"


# The wire form of an amount: ASCII digits, an optional sign and fraction; no exponent, no spaces, no "_" or "+".
# ``Decimal()`` alone accepts "1e5", " 100", "1_000" and any script's digits ("１００"), none of which a person
# typing an amount means, so strings are matched against this before they become Decimals.
AMOUNT_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)
# Integer digits an amount may have: the ledger's limit is 10^13 in major units (10^15 cents), so 18 leaves room for
# a clear "too large" verdict while keeping every quantize() within Decimal's default 28-digit precision.
MAX_INTEGER_DIGITS = 18
# Longest amount text looked at: a 400-digit string is refused by its length, not parsed.
MAX_AMOUNT_CHARS = 64


def minor_units(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise MoneyError(f"unknown currency {currency!r}") from None


_QUANTA = {currency: Decimal(1).scaleb(-units) for currency, units in MINOR_UNITS.items()}


def quantum(currency: str) -> Decimal:
    """The currency's smallest step (0.01 for USD)."""
    try:
        return _QUANTA[currency]
    except KeyError:
        raise MoneyError(f"unknown currency {currency!r}") from None


def check_amount_text(text: str) -> None:
    """Refuse amount strings that are not plain ASCII decimals or are absurdly long (``MoneyError`` subclasses)."""
    if len(text) > MAX_AMOUNT_CHARS:
        head = text[:MAX_AMOUNT_CHARS]
        if AMOUNT_TEXT.fullmatch(head) and "." not in head:
            raise AmountTooLarge(f"amount has more than {MAX_INTEGER_DIGITS} integer digits")
        raise MoneyError(f"amount text is longer than {MAX_AMOUNT_CHARS} characters")
    if not AMOUNT_TEXT.fullmatch(text):
        raise MoneyError(f"not a plain decimal amount (digits 0-9, an optional '.', no spaces or exponent): "
                         f"{text[:40]!r}")
    digits = len(text.lstrip("-").split(".", 1)[0].lstrip("0"))
    if digits > MAX_INTEGER_DIGITS:
        raise AmountTooLarge(f"amount has {digits} integer digits; at most {MAX_INTEGER_DIGITS} are accepted")


def parse_amount(value: object, currency: str) -> Decimal:
    """Parse a decimal string/int/Decimal into an exact amount of ``currency``.

    Floats are refused: they cannot carry cents exactly. Strings must be plain ASCII decimals (``check_amount_text``).
    More decimals than the currency allows is an error, not a silent rounding. Raises ``MoneyError`` (its ``code``
    is ``invalid_amount``) or ``AmountTooLarge`` (``amount_too_large``), never ``decimal.InvalidOperation``.
    """
    if isinstance(value, float | bool):
        raise MoneyError("amounts must be decimal strings, not floats")
    if isinstance(value, str):
        check_amount_text(value)
    if not isinstance(value, str | int | Decimal):
        raise MoneyError(f"not a decimal amount: {type(value).__name__}")
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        raise MoneyError(f"not a decimal amount: {str(value)[:40]!r}") from None
    return exact_amount(amount, currency)


def exact_amount(amount: Decimal, currency: str) -> Decimal:
    """``amount`` quantized to ``currency``'s minor unit; refused when not finite, too large or too precise."""
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {amount}")
    if amount and amount.adjusted() >= MAX_INTEGER_DIGITS:
        raise AmountTooLarge(f"amount has more than {MAX_INTEGER_DIGITS} integer digits")
    q = quantum(currency)
    try:
        quantized = amount.quantize(q, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:  # cannot happen below MAX_INTEGER_DIGITS; kept so no caller ever sees it
        raise AmountTooLarge(f"amount {amount:.6e} cannot be represented") from None
    if amount != quantized:
        raise MoneyError(f"{amount} has more decimals than {currency} allows ({minor_units(currency)})")
    return quantized


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact integer of minor units; ``amount`` must already be quantized."""
    return int(amount.scaleb(minor_units(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(-minor_units(currency)).quantize(quantum(currency))


def fmt(amount: Decimal) -> str:
    """The wire form: a plain decimal string (no exponent)."""
    text = str(amount)  # already plain for quantized amounts, and much cheaper than format()
    return text if "E" not in text else f"{amount:f}"
