"""Financial reports as SQL aggregates over posted lines: trial balance, account balance and ledger, income
statement, balance sheet; as of a date, over a period, by dimension."""

from erp_core.reports.balances import account_balance, trial_balance
from erp_core.reports.filters import ReportFilter, make_filter, period_range
from erp_core.reports.ledger import account_ledger
from erp_core.reports.statements import balance_sheet, income_statement

__all__ = ["ReportFilter", "account_balance", "account_ledger", "balance_sheet", "income_statement", "make_filter",
           "period_range", "trial_balance"]
