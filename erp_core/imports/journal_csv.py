"""Journal CSV: columns ``date,entry,account_code,debit,credit,currency,memo``; rows sharing ``entry`` form one entry.

Amounts are decimal strings; a row carries a debit or a credit; an empty currency is the tenant's functional one.
The entry's idempotency key is ``import:<entry>`` (an ``entry`` that already has a ``namespace:`` is the key itself,
as exports write keys such as ``bean:…``), so re-importing a file or an export finds every entry already there and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from erp_core.imports.csvfile import Row, issue, read_rows, rows_of_text
from erp_core.imports.sources import LedgerFile, SourceEntry, SourceLine

COLUMNS = ("date", "entry", "account_code", "debit", "credit", "currency", "memo")
KEY_PREFIX = "import:"


def entry_key(entry: str) -> str:
    """The idempotency key of a CSV entry id (``csv_entry`` in reverse)."""
    return entry if ":" in entry else f"{KEY_PREFIX}{entry}"


def csv_entry(key: str) -> str:
    """The CSV entry id an export writes for an idempotency key, so that importing it gives the same key."""
    short = key.removeprefix(KEY_PREFIX)
    return short if short != key and ":" not in short else key


def _amount(text: str) -> Decimal | None:
    if not text:
        return None
    return Decimal(text.replace(",", "")) if "," in text and "." in text else Decimal(text)


def _line(row: Row, out: LedgerFile) -> tuple[dt.date | None, SourceLine | None]:
    problems = []
    day = None
    try:
        day = dt.date.fromisoformat(row.get("date"))
    except ValueError:
        problems.append(issue("bad_date", f"date {row.get('date')!r} is not YYYY-MM-DD", row.where))
    amounts: dict[str, Decimal | None] = {}
    for side in ("debit", "credit"):
        try:
            amounts[side] = _amount(row.get(side))
            value = amounts[side]
            if value is not None and not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(issue("bad_amount", f"{side} {row.get(side)!r} is not a decimal number", row.where))
            amounts[side] = None
    if not row.get("account_code"):
        problems.append(issue("missing_account", "account_code is empty", row.where))
    if "__extra__" in row.values:
        problems.append(issue("extra_cells", "more cells than columns (quote fields that contain commas)",
                              row.where))
    if problems:
        out.issues.extend(problems)
        return day, None
    return day, SourceLine(row.get("account_code"), amounts["debit"], amounts["credit"],
                           row.get("currency").upper(), row.where)


def read_journal_csv(path: Path) -> LedgerFile:
    return journal_from_rows(read_rows(path, COLUMNS), str(path))


def parse_journal_csv(text: str, name: str) -> LedgerFile:
    """The journal in CSV ``text`` (what ``read_journal_csv`` does after reading the file)."""
    return journal_from_rows(rows_of_text(text, name, COLUMNS), name)


def journal_from_rows(rows: list[Row], name: str) -> LedgerFile:
    out = LedgerFile(name, "csv")
    entries: dict[str, SourceEntry] = {}
    for row in rows:
        name = row.get("entry")
        if not name:
            out.issues.append(issue("missing_entry", "the entry column is empty", row.where))
            continue
        day, line = _line(row, out)
        current = entries.get(name)
        if current is None:
            memo = row.get("memo") or f"Imported entry {name}"
            current = entries[name] = SourceEntry(entry_key(name), day or dt.date.min, memo, [], row.where)
        elif day is not None and current.date != dt.date.min and day != current.date:
            out.issues.append(issue("date_differs", f"entry {name} is dated {current.date} at {current.where} but "
                                                    f"{day} here; all rows of an entry share one date", row.where))
            current.broken = True
        if line is None:
            current.broken = True
        else:
            current.lines.append(line)
    out.entries = [e for e in entries.values() if e.date != dt.date.min and not e.broken]
    return out
