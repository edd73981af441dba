"""Fixed facts of the demo company (docs/demo-company.md): tenants, departments, users, chart of accounts, leaders.

Constants, not random: the document corpus and the eval suites quote them, so they are the same whatever the seed
and size.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class TenantFacts:
    id: str
    name: str
    currency: str
    timezone: str
    city: str
    monthly_rent: Decimal
    annual_leave_days: int
    annual_revenue: Decimal  # first-year run rate; the generator grows it
    email_domain: str


TENANTS = (
    TenantFacts("acme", "Acme Robotics Inc.", "USD", "America/Los_Angeles", "San Jose", Decimal("42000.00"), 20,
                Decimal("54000000"), "acme.example"),
    TenantFacts("globex", "Globex Services GmbH", "EUR", "Europe/Berlin", "Berlin", Decimal("18500.00"), 25,
                Decimal("21000000"), "globex.example"),
)

DEPARTMENTS = (("EXEC", "Executive"), ("FIN", "Finance"), ("SALES", "Sales"), ("MKT", "Marketing"),
               ("ENG", "Engineering"), ("OPS", "Operations"), ("HR", "People"), ("IT", "IT"))

# (user, roles, title, department); every demo user also holds "employee"
DEMO_USERS = (
    ("alice", "accountant", "Senior Accountant", "FIN"),
    ("carol", "controller", "Financial Controller", "FIN"),
    ("frank", "cfo", "Chief Financial Officer", "FIN"),
    ("sam", "sales_rep", "Account Executive", "SALES"),
    ("maria", "sales_manager", "VP Sales", "SALES"),
    ("hana", "hr", "HR Business Partner", "HR"),
    ("eve", "employee", "Software Engineer", "ENG"),
    ("root", "admin", "IT administrator", "IT"),
)
DEMO_USER_NAMES = {"alice": ("Alice", "Morgan"), "carol": ("Carol", "Jensen"), "frank": ("Frank", "Okafor"),
                   "sam": ("Sam", "Patel"), "maria": ("Maria", "Alvarez"), "hana": ("Hana", "Kim"),
                   "eve": ("Eve", "Novak"), "root": ("Root", "Admin")}

# Leaders by tenant: CEO and the department heads (level 2) that are not demo users.
LEADERS = {
    "acme": {"CEO": ("Diane", "Whitfield"), "ENG": ("Rajesh", "Iyer", "Chief Technology Officer"),
             "OPS": ("Tom", "Becker", "Chief Operating Officer"), "MKT": ("Lena", "Fischer", "VP Marketing"),
             "HR": ("Grace", "Liu", "Chief People Officer"), "IT": ("Omar", "Haddad", "Chief Information Officer")},
    "globex": {"CEO": ("Klaus", "Brandt"), "ENG": ("Anja", "Schulz", "Chief Technology Officer"),
               "OPS": ("Jonas", "Weber", "Chief Operating Officer"), "MKT": ("Sofia", "Romano", "VP Marketing"),
               "HR": ("Petra", "Hoffmann", "Chief People Officer"),
               "IT": ("Marek", "Nowak", "Chief Information Officer")},
}

# The ten largest customers of each tenant (key accounts; they get the biggest deals and invoices).
KEY_CUSTOMERS = {
    "acme": ("Northwind Logistics", "Contoso Manufacturing", "Initech Automotive", "Umbrella Pharma",
             "Stark Assembly Systems", "Wayne Industrial", "Cyberdyne Fabrication", "Tyrell Components",
             "Soylent Foods", "Vandelay Industries"),
    "globex": ("Deutsche Bahnlogistik AG", "Rheinmetall Digital GmbH", "Hanse Versicherung AG",
               "Alpen Energie GmbH", "Nordsee Handel KG", "Bayern Medtech AG", "Spree Finanz AG",
               "Elbe Retail GmbH", "Schwarzwald Tools GmbH", "Main Capital AG"),
}

# The largest vendors of each tenant and what they bill.
KEY_VENDORS = {
    "acme": (("Pacific Steel Supply", "1200"), ("Silicon Valley Realty", "6100"), ("CloudScale Hosting", "6300"),
             ("Baker & Lowe LLP", "6500"), ("BrightAds Media", "6400")),
    "globex": (("Berliner Immobilien GmbH", "6100"), ("Telekom Cloud Services", "6300"),
               ("Kanzlei Müller & Partner", "6500"), ("Adwerk Marketing GmbH", "6400"),
               ("Bürowelt Versand GmbH", "6600")),
}

HEADERS = (("1000", "Assets", "asset"), ("2000", "Liabilities", "liability"), ("3000", "Equity", "equity"),
           ("4000", "Revenue", "revenue"), ("5000", "Cost of sales", "expense"),
           ("6000", "Operating expenses", "expense"), ("7000", "Other income and expense", "expense"))

ACCOUNTS = (
    ("1010", "Cash - Operating", "asset", "1000"), ("1020", "Cash - Payroll", "asset", "1000"),
    ("1100", "Accounts Receivable", "asset", "1000"), ("1200", "Inventory", "asset", "1000"),
    ("1300", "Prepaid Expenses", "asset", "1000"), ("1500", "Property and Equipment", "asset", "1000"),
    ("1510", "Accumulated Depreciation", "asset", "1000"), ("2010", "Accounts Payable", "liability", "2000"),
    ("2100", "Accrued Liabilities", "liability", "2000"), ("2200", "Payroll Liabilities", "liability", "2000"),
    ("2300", "Deferred Revenue", "liability", "2000"), ("2400", "Sales Tax Payable", "liability", "2000"),
    ("3010", "Share Capital", "equity", "3000"), ("3100", "Retained Earnings", "equity", "3000"),
    ("4010", "Product Revenue", "revenue", "4000"), ("4020", "Services Revenue", "revenue", "4000"),
    ("4030", "Subscription Revenue", "revenue", "4000"), ("5010", "Cost of Goods Sold", "expense", "5000"),
    ("5020", "Cost of Services", "expense", "5000"), ("6010", "Salaries and Wages", "expense", "6000"),
    ("6020", "Employee Benefits", "expense", "6000"), ("6100", "Rent Expense", "expense", "6000"),
    ("6110", "Utilities", "expense", "6000"), ("6200", "Travel Expense", "expense", "6000"),
    ("6210", "Meals and Entertainment", "expense", "6000"), ("6300", "Software Subscriptions", "expense", "6000"),
    ("6400", "Marketing and Advertising", "expense", "6000"), ("6500", "Professional Fees", "expense", "6000"),
    ("6600", "Office Supplies", "expense", "6000"), ("6700", "Depreciation Expense", "expense", "6000"),
    ("6800", "Insurance", "expense", "6000"), ("6900", "Bank Fees", "expense", "6000"),
    ("7010", "Interest Income", "revenue", "7000"), ("7020", "Interest Expense", "expense", "7000"),
    ("7030", "FX Gain/Loss", "expense", "7000"),
)
