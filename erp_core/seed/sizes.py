"""How big each demo size is. Counts of people, customers, deals and tickets meet the issue's minimums at every
size; the GL volume (documents per month) is what grows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeedSize:
    name: str
    employees: int
    customers: int
    vendors: int
    opportunities: int
    tickets: int
    invoices_per_month: int
    bills_per_month: int
    card_expenses_per_month: int
    planted_anomalies: int


SIZES = {
    "small": SeedSize("small", 160, 300, 80, 600, 2000, 22, 24, 6, 8),
    "medium": SeedSize("medium", 220, 400, 100, 900, 3000, 170, 170, 40, 20),
    "large": SeedSize("large", 400, 1000, 200, 2000, 6000, 700, 700, 120, 40),
}
