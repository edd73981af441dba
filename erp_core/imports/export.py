"""``nexus export journal``: the posted ledger written back out as journal CSV or as a beancount ledger.

The CSV has the import's columns (``date,entry,account_code,debit,credit,currency,memo``), so an export imports again.
The beancount ledger opens every account it uses, writes each entry as a transaction, and ends with a ``balance``
assertion per account and currency computed from our own ledger by a separate query, so ``bean-check`` proves that
beancount's balances equal ours.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.errors import Issue, validation_error
from erp_core.imports.beancount import is_beancount_name
from erp_core.imports.journal_csv import COLUMNS, csv_entry
from erp_core.ledger.models import Account, EntryStatus, JournalEntry, JournalLine
from erp_core.money import fmt, from_minor
from erp_core.tenancy import functional_currency

FORMATS = ("beancount", "csv")
ROOT_OF = {"asset": "Assets", "liability": "Liabilities", "equity": "Equity", "revenue": "Income",
           "expense": "Expenses"}
_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True, slots=True)
class _Line:
    entry_key: str
    date: dt.date
    memo: str
    account_id: int
    currency: str
    debit_minor: int
    credit_minor: int


def beancount_names(accounts: list[Account]) -> dict[int, str]:
    """A beancount account name per account: its own name when it is one (imported from beancount), otherwise
    ``Root:Name-Code`` from its type, name and code (unique by the code)."""
    names = {}
    for account in accounts:
        if is_beancount_name(account.name) and account.name.split(":", 1)[0] == ROOT_OF[account.type]:
            names[account.id] = account.name
        else:
            words = "-".join(w.capitalize() for w in _WORD.findall(account.name)) or "Account"
            code = "-".join(_WORD.findall(account.code))
            names[account.id] = f"{ROOT_OF[account.type]}:{words}-{code}"
    return names


def _lines(session: Session, tenant: str, date_from: dt.date | None, date_to: dt.date | None) -> Iterator[_Line]:
    stmt = select(JournalEntry.idempotency_key, JournalEntry.entry_date, JournalEntry.memo, JournalLine.account_id,
                  JournalLine.currency, JournalLine.debit_minor, JournalLine.credit_minor).join(
        JournalLine, JournalLine.entry_id == JournalEntry.id).where(
        JournalEntry.tenant == tenant, JournalEntry.status == EntryStatus.POSTED.value)
    if date_from is not None:
        stmt = stmt.where(JournalEntry.entry_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(JournalEntry.entry_date <= date_to)
    stmt = stmt.order_by(JournalEntry.entry_date, JournalEntry.id, JournalLine.line_no)
    for row in session.execute(stmt.execution_options(yield_per=5000)):
        yield _Line(*row)


def _check(fmt_name: str, date_from: dt.date | None, date_to: dt.date | None) -> None:
    issues = []
    if fmt_name not in FORMATS:
        issues.append(Issue("unknown_format", f"format must be one of {', '.join(FORMATS)}", "format"))
    if date_from and date_to and date_from > date_to:
        issues.append(Issue("bad_range", "--from is after --to", "from"))
    if issues:
        raise validation_error(issues)


def export_journal(session: Session, tenant: str, out: TextIO, fmt_name: str, *, date_from: dt.date | None = None,
                   date_to: dt.date | None = None) -> int:
    """Write the tenant's posted entries dated in [date_from, date_to] to ``out``; returns how many entries."""
    _check(fmt_name, date_from, date_to)
    accounts = list(session.scalars(select(Account).where(Account.tenant == tenant).order_by(Account.code)))
    if fmt_name == "csv":
        return _csv(session, tenant, out, {a.id: a.code for a in accounts}, date_from, date_to)
    return _beancount(session, tenant, out, accounts, date_from, date_to)


def _csv(session: Session, tenant: str, out: TextIO, codes: dict[int, str], date_from: dt.date | None,
         date_to: dt.date | None) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    entries, last = 0, None
    for line in _lines(session, tenant, date_from, date_to):
        if line.entry_key != last:
            entries, last = entries + 1, line.entry_key
        debit = fmt(from_minor(line.debit_minor, line.currency)).replace(",", "") if line.debit_minor else ""
        credit = fmt(from_minor(line.credit_minor, line.currency)).replace(",", "") if line.credit_minor else ""
        writer.writerow([line.date.isoformat(), csv_entry(line.entry_key), codes[line.account_id],
                         debit, credit, line.currency, line.memo])
    return entries


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _amount(minor: int, currency: str) -> str:
    return fmt(from_minor(minor, currency)).replace(",", "")


def _beancount(session: Session, tenant: str, out: TextIO, accounts: list[Account], date_from: dt.date | None,
               date_to: dt.date | None) -> int:
    names = beancount_names(accounts)
    window = [JournalLine.tenant == tenant]
    if date_from is not None:
        window.append(JournalLine.entry_date >= date_from)
    if date_to is not None:
        window.append(JournalLine.entry_date <= date_to)
    used = session.execute(select(JournalLine.account_id, JournalLine.currency, func.min(JournalLine.entry_date),
                                  func.max(JournalLine.entry_date),
                                  func.sum(JournalLine.debit_minor - JournalLine.credit_minor))
                           .where(*window).group_by(JournalLine.account_id, JournalLine.currency)).all()
    out.write(f"; Ledger of tenant {tenant}, exported by Nexus\n")
    out.write(f'option "title" {_quoted(tenant)}\n')
    out.write(f'option "operating_currency" "{functional_currency(session, tenant)}"\n\n')
    if not used:
        return 0
    first = min(row[2] for row in used)
    last = max(row[3] for row in used)
    currencies: dict[int, set[str]] = {}
    for account_id, currency, *_ in used:
        currencies.setdefault(account_id, set()).add(currency)
    for account_id in sorted(currencies, key=lambda i: names[i]):
        out.write(f"{first.isoformat()} open {names[account_id]} {','.join(sorted(currencies[account_id]))}\n")
    out.write("\n")
    entries, last_key = 0, None
    for line in _lines(session, tenant, date_from, date_to):
        if line.entry_key != last_key:
            entries, last_key = entries + 1, line.entry_key
            out.write(f"\n{line.date.isoformat()} * {_quoted(line.memo)}\n  nexus-key: {_quoted(line.entry_key)}\n")
        signed = line.debit_minor - line.credit_minor
        out.write(f"  {names[line.account_id]}  {_amount(signed, line.currency)} {line.currency}\n")
    check_day = last + dt.timedelta(days=1)
    out.write(f"\n; Balances in Nexus at the end of {last.isoformat()}\n")
    for account_id, currency, _first, _last, balance in sorted(used, key=lambda r: (names[r[0]], r[1])):
        out.write(f"{check_day.isoformat()} balance {names[account_id]}  {_amount(int(balance), currency)} "
                  f"{currency}\n")
    return entries
