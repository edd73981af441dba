"""Account names and codes as people say them ("rent", "travel expenses", "6200") → the tenant's account."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.ledger.models import Account
from erp_core.resolve.names import match_name

# Words people use that the chart of accounts spells differently.
ALIASES: dict[str, tuple[str, ...]] = {
    "Cash - Operating": ("cash", "bank", "operating account", "checking"),
    "Accounts Receivable": ("receivables", "ar", "debtors"),
    "Accounts Payable": ("payables", "ap", "creditors"),
    "Salaries and Wages": ("payroll", "salaries", "wages"),
    "Travel Expense": ("travel", "trips", "flights", "hotels"),
    "Meals and Entertainment": ("meals", "entertainment", "dinners"),
    "Software Subscriptions": ("software", "saas", "subscriptions"),
    "Marketing and Advertising": ("marketing", "advertising", "ads"),
    "Professional Fees": ("legal", "consulting fees", "audit fees", "lawyers"),
    "Rent Expense": ("rent", "lease", "office rent"),
    "Accrued Liabilities": ("accruals", "accrued expenses"),
    "Product Revenue": ("product sales",),
    "Services Revenue": ("services", "consulting revenue"),
    "Subscription Revenue": ("subscription sales", "recurring revenue"),
    "Deferred Revenue": ("unearned revenue", "deferred income", "contract liabilities"),
    "Prepaid Expenses": ("prepayments", "prepaids"),
    "Inventory": ("stock on hand",),
    "Accumulated Depreciation": ("depreciation reserve",),
    "Depreciation Expense": ("depreciation",),
    "Payroll Liabilities": ("payroll taxes payable", "withholdings"),
    "Sales Tax Payable": ("sales tax", "vat payable"),
    "Retained Earnings": ("retained profits",),
    "Cost of Goods Sold": ("cogs", "cost of sales"),
    "Employee Benefits": ("benefits",),
    "Office Supplies": ("supplies", "stationery"),
    "Utilities": ("electricity", "power and water"),
    "Insurance": ("insurance premiums",),
    "Bank Fees": ("bank charges",),
}


def resolve_account(session: Session, tenant: str, text: str, *, postable_only: bool = False) -> Account:
    """The account ``text`` names. Raises NexusError(UNKNOWN_NAME / AMBIGUOUS_NAME) with candidates."""
    stmt = select(Account).where(Account.tenant == tenant, Account.active.is_(True))
    if postable_only:
        stmt = stmt.where(Account.postable.is_(True))
    accounts = {a.code: a for a in session.scalars(stmt)}
    records = [(a.code, a.name, ALIASES.get(a.name, ())) for a in accounts.values()]
    match = match_name(text, records, what="account")
    return accounts[match.ident]
