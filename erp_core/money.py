"""Money as ``Decimal`` + currency, quantized to the currency's minor unit. Never floats.

Amounts are stored as integers of minor units (cents) so SQLite and PostgreSQL hold them exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# ISO 4217 minor units for the currencies the product knows; unknown codes are refused rather than guessed.
MINOR_UNITS: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "CAD": 2, "AUD": 2, "SEK": 2, "NOK": 2, "DKK": 2,
    "PLN": 2, "CZK": 2, "INR": 2, "CNY": 2, "SGD": 2, "HKD": 2, "MXN": 2, "BRL": 2, "ZAR": 2,
    "JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3,
}


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


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


def parse_amount(value: object, currency: str) -> Decimal:
    """Parse a decimal string/int/Decimal into an exact amount of ``currency``.

    Floats are refused: they cannot carry cents exactly. More decimals than the currency allows is an error, not a
    silent rounding.
    """
    if isinstance(value, float | bool):
        raise MoneyError("amounts must be decimal strings, not floats")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise MoneyError(f"not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    q = quantum(currency)
    if amount != amount.quantize(q, rounding=ROUND_HALF_EVEN):
        raise MoneyError(f"{value} has more decimals than {currency} allows ({minor_units(currency)})")
    return amount.quantize(q)


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact integer of minor units; ``amount`` must already be quantized."""
    return int(amount.scaleb(minor_units(currency)))


def from_minor(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(-minor_units(currency)).quantize(quantum(currency))


def fmt(amount: Decimal) -> str:
    """The wire form: a plain decimal string (no exponent)."""
    text = str(amount)  # already plain for quantized amounts, and much cheaper than format()
    return text if "E" not in text else f"{amount:f}"
