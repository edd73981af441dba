"""The demo ledger, month by month: invoices and their payments, vendor bills and theirs, payroll, rent, cost of
sales, depreciation, deferred subscription revenue, card expenses, and a few planted anomalies.

Pure generation: it returns documents; ``seed.posting`` turns them into validated postings. Revenue follows a
seasonal curve (Q4 peak, January dip) on a growth trend; costs follow revenue and headcount.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from erp_core.seed.crm_data import Party
from erp_core.seed.facts import TenantFacts
from erp_core.seed.sizes import SeedSize
from erp_core.tenancy import new_id

SEASON = (0.86, 0.88, 1.0, 0.95, 0.97, 1.04, 0.9, 0.88, 1.02, 1.05, 1.13, 1.32)
MONTHLY_GROWTH = 1.012
# revenue mix per tenant: product, services, subscription
MIX = {"acme": (0.60, 0.25, 0.15), "globex": (0.05, 0.75, 0.20)}
# median bill size per account (currency units) at the medium volume, and the department that owns it
BILL_PROFILE = {"6110": (2500, "OPS"), "6300": (6000, "IT"), "6400": (9000, "MKT"), "6500": (8000, "FIN"),
                "6600": (800, "OPS"), "6200": (3000, "SALES"), "5020": (12000, "OPS"), "1200": (0, "OPS"),
                "6100": (0, "OPS")}
MEDIUM_BILLS = 170

DocKind = Literal["journal", "invoice", "bill", "payment"]
Line = tuple[str, int, int, str | None]  # account, debit minor, credit minor, department


@dataclass
class Doc:
    kind: DocKind
    date: dt.date
    memo: str
    key: str
    lines: list[Line] = field(default_factory=list)
    party: str | None = None
    number: str | None = None
    due: dt.date | None = None
    amount: int = 0
    account: str | None = None
    department: str | None = None
    pays: Doc | None = None  # payments: the invoice or bill paid
    doc_id: str = field(default_factory=new_id)  # invoice/bill/payment row id
    planted: str | None = None
    submitted_at: dt.datetime | None = None
    entry_id: str | None = None  # set once posted


def cents(value: float) -> int:
    return max(1, round(value * 100))


def weekday(day: dt.date, forward: bool = True) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1 if forward else -1)
    return day


def months_between(start: dt.date, count: int) -> list[dt.date]:
    out, year, month = [], start.year, start.month
    for _ in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_last(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass
class LedgerPlan:
    """Expected (noise-free) monthly amounts per (department, account): the basis of the budgets."""

    expected: dict[tuple[dt.date, str, str], int] = field(default_factory=dict)

    def add(self, month: dt.date, dept: str, account: str, minor: int) -> None:
        key = (month, dept, account)
        self.expected[key] = self.expected.get(key, 0) + minor


class LedgerGenerator:
    def __init__(self, tenant: TenantFacts, size: SeedSize, customers: list[Party], vendors: list[Party],
                 payroll: Callable[[dt.date], dict[str, int]], rng: random.Random, start: dt.date,
                 as_of: dt.date) -> None:
        self.t, self.size, self.rng = tenant, size, rng
        self.customers, self.vendors = customers, vendors
        self.payroll = payroll
        self.start, self.as_of = start, as_of
        self.months = months_between(start, 24)
        self.scheduled: dict[dt.date, list[Doc]] = {}  # payments falling due in a later month
        self.subscriptions: list[tuple[int, dt.date]] = []
        self.services_accrual = 0
        self.payroll_liability = 0
        self.plan = LedgerPlan()
        self.customer_weights = [c.weight for c in customers]
        self.vendors_by_account: dict[str, list[Party]] = {}
        for v in vendors:
            self.vendors_by_account.setdefault(v.payer, []).append(v)
        self.seq = 0

    # -- helpers -------------------------------------------------------------------------------------------
    def _day(self, month: dt.date) -> dt.date:
        return weekday(month + dt.timedelta(days=self.rng.randint(0, month_last(month).day - 1)), forward=False) \
            if self.rng.random() < 0.5 else weekday(month + dt.timedelta(days=self.rng.randint(0, 25)))

    def _schedule(self, doc: Doc) -> None:
        if doc.date <= self.as_of:
            self.scheduled.setdefault(dt.date(doc.date.year, doc.date.month, 1), []).append(doc)

    def _journal(self, day: dt.date, memo: str, lines: list[Line]) -> Doc:
        self.seq += 1
        return Doc("journal", day, memo, f"seed:{self.t.id}:je:{self.seq}", lines)

    def revenue_target(self, index: int, month: dt.date) -> float:
        return float(self.t.annual_revenue) / 12 * SEASON[month.month - 1] * MONTHLY_GROWTH ** index

    # -- one month -----------------------------------------------------------------------------------------
    def month(self, index: int, month: dt.date) -> list[Doc]:
        docs: list[Doc] = []
        last = weekday(month_last(month), forward=False)
        if index == 0:
            docs.append(self._opening(month))
        revenue = self.revenue_target(index, month)
        docs += self._invoices(month, revenue)
        docs += self._bills(month, revenue)
        docs += self._payroll(month, last)
        docs += self._monthly_journals(index, month, last, revenue)
        docs += self._card_expenses(month)
        docs += self.scheduled.pop(month, [])
        return docs

    def _opening(self, month: dt.date) -> Doc:
        scale = float(self.t.annual_revenue) / 54_000_000
        cash, inventory, ppe, dep = (cents(v * scale) for v in (9_250_000.37, 1_540_225.10, 3_180_400.00,
                                                                 640_080.00))
        capital = cents(5_000_000 * scale)
        retained = cash + inventory + ppe - dep - capital
        return self._journal(month, "Opening balances migrated from the previous ledger", [
            ("1010", cash, 0, None), ("1200", inventory, 0, None), ("1500", ppe, 0, None), ("1510", 0, dep, None),
            ("3010", 0, capital, None), ("3100", 0, retained, None)])

    def _invoices(self, month: dt.date, revenue: float) -> list[Doc]:
        product, services, subscription = MIX[self.t.id]
        n = max(3, round(self.size.invoices_per_month * SEASON[month.month - 1]))
        docs = []
        plan_total = {"4010": revenue * product, "4020": revenue * services}
        for account, total in plan_total.items():
            self.plan.add(month, "SALES", account, cents(total))
        for _ in range(n):
            customer = self.rng.choices(self.customers, self.customer_weights)[0]
            account = self.rng.choices(("4010", "4020", "2300"), (product, services, subscription))[0]
            mean = revenue / n
            amount = cents(mean * self.rng.lognormvariate(-0.18, 0.6))
            if account == "2300":  # annual subscription billed up front, recognised monthly
                self.subscriptions.append((amount, month))
            day = self._day(month)
            self.seq += 1
            number = f"INV-{self.t.id[:2].upper()}{day:%y%m}-{self.seq:05d}"
            doc = Doc("invoice", day, f"Invoice {number} {customer.name}"[:500], f"invoice:{customer.code}:{number}",
                      party=customer.code, number=number, due=day + dt.timedelta(days=30), amount=amount,
                      account=account, department="SALES")
            docs.append(doc)
            delay = {"prompt": (22, 40), "slow": (45, 80), "late": (90, 160)}.get(customer.payer)
            if delay is not None:
                paid = weekday(day + dt.timedelta(days=self.rng.randint(*delay)))
                self._schedule(Doc("payment", paid, f"Payment invoice {number}", f"payment:pay-{doc.doc_id}",
                                   amount=amount, pays=doc))
        return docs

    def _bills(self, month: dt.date, revenue: float) -> list[Doc]:
        docs = []
        product = MIX[self.t.id][0]
        scale = MEDIUM_BILLS / self.size.bills_per_month * float(self.t.annual_revenue) / 54_000_000
        rent_vendor = self.vendors_by_account["6100"][0]
        docs.append(self._bill(rent_vendor, month, weekday(month), int(self.t.monthly_rent * 100), "6100", "OPS",
                               f"Office rent {month:%B %Y} - {self.t.city}"))
        self.plan.add(month, "OPS", "6100", int(self.t.monthly_rent * 100))
        inventory_total = revenue * product * 0.45
        inventory_vendors = self.vendors_by_account.get("1200", [])
        n_inventory = max(1, self.size.bills_per_month // 8) if inventory_vendors and product > 0.1 else 0
        for _ in range(n_inventory):
            vendor = self.rng.choice(inventory_vendors)
            amount = cents(inventory_total / n_inventory * self.rng.uniform(0.7, 1.3))
            docs.append(self._bill(vendor, month, self._day(month), amount, "1200", "OPS", ""))
        accounts = [a for a in BILL_PROFILE if a not in ("1200", "6100") and a in self.vendors_by_account]
        for _ in range(self.size.bills_per_month - n_inventory - 1):
            account = self.rng.choice(accounts)
            median, dept = BILL_PROFILE[account]
            if account == "6600":
                dept = self.rng.choice(("OPS", "ENG", "SALES", "FIN", "HR", "MKT"))
            vendor = self.rng.choice(self.vendors_by_account[account])
            amount = cents(median * scale * self.rng.lognormvariate(0, 0.45))
            docs.append(self._bill(vendor, month, self._day(month), amount, account, dept, ""))
        for account in accounts:
            median, dept = BILL_PROFILE[account]
            share = (self.size.bills_per_month - n_inventory - 1) / len(accounts)
            self.plan.add(month, dept if account != "6600" else "OPS", account,
                          cents(median * scale * 1.1 * share))
        return docs

    def _bill(self, vendor: Party, month: dt.date, day: dt.date, amount: int, account: str, dept: str,
              memo: str) -> Doc:
        self.seq += 1
        number = f"B{day:%y%m}-{self.seq:05d}"
        doc = Doc("bill", day, (memo or f"Bill {number} {vendor.name}")[:500], f"bill:{vendor.code}:{number}",
                  party=vendor.code, number=number, due=day + dt.timedelta(days=45), amount=amount, account=account,
                  department=dept)
        paid = weekday(day + dt.timedelta(days=45 + self.rng.randint(-6, 4)))
        if self.rng.random() < 0.10:
            paid += dt.timedelta(days=self.rng.randint(15, 120))  # disputed or cash-managed bills: overdue payables
        self._schedule(Doc("payment", paid, f"Payment bill {number}", f"payment:pay-{doc.doc_id}", amount=amount,
                           pays=doc))
        return doc

    def _payroll(self, month: dt.date, last: dt.date) -> list[Doc]:
        by_dept = self.payroll(month_last(month))
        lines: list[Line] = []
        net_total = withheld = 0
        for dept, gross_units in sorted(by_dept.items()):
            gross = gross_units * 100 + self.rng.randint(0, 99)
            benefits = gross * 22 // 100
            net = gross * 72 // 100
            lines += [("6010", gross, 0, dept), ("6020", benefits, 0, dept)]
            net_total += net
            withheld += gross - net + benefits
            self.plan.add(month, dept, "6010", gross_units * 100)
            self.plan.add(month, dept, "6020", gross_units * 22)
        lines += [("2200", 0, withheld, None), ("1020", 0, net_total, None)]
        docs = [self._journal(last, f"Payroll {month:%B %Y}", lines),
                self._journal(last, f"Payroll funding {month:%B %Y}", [("1020", net_total, 0, None),
                                                                       ("1010", 0, net_total, None)])]
        if self.payroll_liability:
            docs.append(self._journal(weekday(month + dt.timedelta(days=14)), "Payroll taxes and benefits remittance",
                                      [("2200", self.payroll_liability, 0, None),
                                       ("1010", 0, self.payroll_liability, None)]))
        self.payroll_liability = withheld
        return docs

    def _monthly_journals(self, index: int, month: dt.date, last: dt.date, revenue: float) -> list[Doc]:
        product, services, _ = MIX[self.t.id]
        scale = float(self.t.annual_revenue) / 54_000_000
        docs = []
        cogs = cents(revenue * product * 0.45 * self.rng.uniform(0.95, 1.05))
        if cogs > 100:
            docs.append(self._journal(last, f"Cost of goods sold {month:%B %Y}", [("5010", cogs, 0, "OPS"),
                                                                                 ("1200", 0, cogs, None)]))
            self.plan.add(month, "OPS", "5010", cents(revenue * product * 0.45))
        service_cost = cents(revenue * services * 0.22 * self.rng.uniform(0.95, 1.05))
        docs.append(self._journal(last, f"Subcontractor cost accrual {month:%B %Y}",
                                  [("5020", service_cost, 0, "OPS"), ("2100", 0, service_cost, None)]))
        self.plan.add(month, "OPS", "5020", cents(revenue * services * 0.22))
        if self.services_accrual:
            docs.append(self._journal(weekday(month + dt.timedelta(days=9)), "Subcontractor invoices settled",
                                      [("2100", self.services_accrual, 0, None),
                                       ("1010", 0, self.services_accrual, None)]))
        self.services_accrual = service_cost
        recognised = sum(amount // 12 for amount, start in self.subscriptions
                         if 0 <= (month.year - start.year) * 12 + month.month - start.month < 12)
        if recognised:
            docs.append(self._journal(last, f"Subscription revenue recognition {month:%B %Y}",
                                      [("2300", recognised, 0, None), ("4030", 0, recognised, "SALES")]))
        self.plan.add(month, "SALES", "4030", cents(revenue * MIX[self.t.id][2]))
        depreciation = cents(48_750.00 * scale)
        docs.append(self._journal(last, f"Depreciation {month:%B %Y}", [("6700", depreciation, 0, "OPS"),
                                                                         ("1510", 0, depreciation, None)]))
        self.plan.add(month, "OPS", "6700", depreciation)
        premium = cents(186_420.55 * scale)
        if index % 12 == 0:
            docs.append(self._journal(weekday(month + dt.timedelta(days=4)), "Annual insurance premium",
                                      [("1300", premium, 0, None), ("1010", 0, premium, None)]))
        docs.append(self._journal(last, f"Insurance expense {month:%B %Y}", [("6800", premium // 12, 0, "FIN"),
                                                                              ("1300", 0, premium // 12, None)]))
        self.plan.add(month, "FIN", "6800", premium // 12)
        fees = cents(1_850 * scale * self.rng.uniform(0.8, 1.2))
        docs.append(self._journal(last, f"Bank fees {month:%B %Y}", [("6900", fees, 0, "FIN"),
                                                                      ("1010", 0, fees, None)]))
        self.plan.add(month, "FIN", "6900", cents(1_850 * scale))
        interest = cents(9_400 * scale * self.rng.uniform(0.7, 1.3))
        docs.append(self._journal(last, f"Interest income {month:%B %Y}", [("1010", interest, 0, None),
                                                                            ("7010", 0, interest, None)]))
        if index % 3 == 2:
            capex = cents(self.rng.uniform(120_000, 300_000) * scale)
            docs.append(self._journal(self._day(month), "Capital expenditure: production equipment",
                                      [("1500", capex, 0, None), ("1010", 0, capex, None)]))
        return docs

    def _card_expenses(self, month: dt.date) -> list[Doc]:
        docs = []
        scale = 40 / self.size.card_expenses_per_month * float(self.t.annual_revenue) / 54_000_000
        for _ in range(self.size.card_expenses_per_month):
            account = self.rng.choice(("6200", "6200", "6210"))
            median = 900 if account == "6200" else 160
            dept = self.rng.choice(("SALES", "SALES", "SALES", "MKT", "EXEC", "ENG", "OPS"))
            amount = cents(median * scale * self.rng.lognormvariate(0, 0.5))
            trip = self.rng.choice(("Chicago", "Denver", "Seattle", "New York", "Munich", "London", "Austin"))
            what = "trip" if account == "6200" else "client dinner"
            docs.append(self._journal(self._day(month), f"Expense report: {dept} {what} {trip}",
                                      [(account, amount, 0, dept), ("1010", 0, amount, None)]))
        self.plan.add(month, "SALES", "6200", cents(900 * scale * 1.13 * self.size.card_expenses_per_month * 2 / 3))
        self.plan.add(month, "SALES", "6210", cents(160 * scale * 1.13 * self.size.card_expenses_per_month / 3))
        return docs
