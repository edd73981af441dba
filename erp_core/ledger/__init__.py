"""General ledger: chart of accounts, fiscal periods, journal entries, posting."""

from erp_core.ledger.accounts import account_views, create_account, get_account, list_accounts, set_account_active
from erp_core.ledger.bulk import post_imported_entries, validate_entries
from erp_core.ledger.commands import (
    CreateAccount,
    JournalLineIn,
    PeriodRef,
    PostJournalEntry,
    ReverseJournalEntry,
    SetAccountActive,
    SetExchangeRate,
)
from erp_core.ledger.fx import set_exchange_rate
from erp_core.ledger.journal import SubmitResult, get_journal_entry, reverse_journal_entry, submit_journal_entry
from erp_core.ledger.models import Account, AccountType, EntryStatus, FiscalPeriod, JournalEntry, JournalLine
from erp_core.ledger.periods import close_period, list_periods, open_period, period_view, reopen_period
from erp_core.ledger.ports import AnomalyScorer, EntryDraft
from erp_core.ledger.views import entry_view

__all__ = [
    "Account", "AccountType", "AnomalyScorer", "CreateAccount", "EntryDraft", "EntryStatus", "FiscalPeriod",
    "JournalEntry", "JournalLine", "JournalLineIn", "PeriodRef", "PostJournalEntry", "ReverseJournalEntry",
    "SetAccountActive", "SetExchangeRate", "SubmitResult", "account_views", "close_period", "create_account",
    "entry_view", "get_account", "get_journal_entry", "list_accounts", "list_periods", "open_period",
    "period_view", "post_imported_entries", "reopen_period", "reverse_journal_entry", "set_account_active",
    "set_exchange_rate", "submit_journal_entry", "validate_entries",
]
