"""Which roles may do what in the ledger (demo roles from docs/demo-company.md)."""

from __future__ import annotations

#: prepare (propose) journal entries and AP/AR documents
PREPARERS = frozenset({"accountant", "controller", "cfo"})
#: read the chart of accounts
ACCOUNT_READERS = frozenset({"accountant", "controller", "cfo", "admin"})
#: change the chart of accounts and exchange rates
ACCOUNT_ADMINS = frozenset({"admin", "controller"})
#: read balances, ledgers and reports
REPORT_READERS = frozenset({"accountant", "controller", "cfo"})
#: open a new monthly period
PERIOD_OPENERS = frozenset({"accountant", "controller", "admin"})
#: close a period
PERIOD_CLOSERS = frozenset({"controller", "cfo"})
#: reopen a closed period
PERIOD_REOPENERS = frozenset({"controller"})
#: bulk-post historical/imported entries without approval (seed, migrations from another ledger)
IMPORTERS = frozenset({"admin", "system"})
