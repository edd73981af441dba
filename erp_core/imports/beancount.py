"""Beancount ledgers: transactions, ``open``/``close`` directives and ``balance`` assertions.

The subset a general ledger holds is read here directly: dated directives, transactions with ``*``/``!``/``txn``
flags, payee and narration, postings with amounts (one posting per transaction may leave its amount out, as beancount
interpolates it), metadata, tags and links (ignored), comments. Directives without a ledger effect (``option``,
``commodity``, ``price``, ``event``, ``note``, ``document``, ``custom``, ``query``, ``plugin``) are skipped. What would
change balances in ways a GL entry cannot say (``pad``, costs ``{}`` and prices ``@``, ``include``) is reported with
its line, like any other problem.

Transactions get the idempotency key ``bean:<hash of date, memo and postings>`` (with ``#n`` for the n-th identical
transaction of the file), so re-importing the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from erp_core.errors import Issue
from erp_core.imports.csvfile import issue
from erp_core.imports.sources import BalanceAssertion, CloseAccount, LedgerFile, OpenAccount, SourceEntry, SourceLine

ROOTS = {"Assets": "asset", "Liabilities": "liability", "Equity": "equity", "Income": "revenue",
         "Expenses": "expense"}
ACCOUNT = r"(?:Assets|Liabilities|Equity|Income|Expenses)(?::[A-Z0-9][A-Za-z0-9-]*)+"
_ACCOUNT = re.compile(rf"^{ACCOUNT}$")
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\S+)\s*(.*)$")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_POSTING = re.compile(rf"^(?:[!*]\s+)?({ACCOUNT})\s*(.*)$")
_AMOUNT = re.compile(r"^([-+]?[0-9][0-9,]*(?:\.[0-9]*)?|[-+]?\.[0-9]+)\s+([A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]?)\s*(.*)$")
_METADATA = re.compile(r"^[a-z][A-Za-z0-9_-]*:")
_NO_EFFECT = {"commodity", "price", "event", "note", "document", "custom", "query"}
_TXN_FLAGS = {"*", "!", "txn"}
KEY_PREFIX = "bean:"


def _strip_comment(text: str) -> str:
    """Drops a ``;`` comment that is not inside a string."""
    quoted = False
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            return text[:i].rstrip()
    return text.rstrip()


def _number(text: str) -> Decimal:
    value = Decimal(text.replace(",", ""))
    if not value.is_finite():
        raise InvalidOperation
    return value


class _Parser:
    def __init__(self, name: str) -> None:
        self.name = name
        self.out = LedgerFile(self.name, "beancount")
        self.txn: SourceEntry | None = None
        self.elided: list[tuple[str, str]] = []  # (account, where) of postings without an amount
        self.amounts: list[tuple[str, Decimal, str]] = []  # (account, signed amount, currency)
        self.txn_ok = True
        self.seen_keys: dict[str, int] = {}

    def problem(self, code: str, message: str, where: str) -> None:
        self.out.issues.append(issue(code, message, where))

    def parse(self, text: str) -> LedgerFile:
        for number, raw in enumerate(text.splitlines(), start=1):
            where = f"{self.name}:{number}"
            line = _strip_comment(raw)
            if not line.strip():
                continue
            if raw[0] in " \t":
                self._indented(line.strip(), where)
                continue
            self._finish()
            if line[0] in ";*#:%&":  # comments and org-mode headings
                continue
            self._directive(line, where)
        self._finish()
        return self.out

    def _directive(self, line: str, where: str) -> None:
        word = line.split(None, 1)[0]
        if word in ("option", "plugin", "pushtag", "poptag", "pushmeta", "popmeta"):
            return
        if word == "include":
            self.problem("unsupported", "include is not supported: concatenate the files first", where)
            return
        match = _DATED.match(line)
        if match is None:
            self.problem("syntax", f"cannot read {line[:60]!r}", where)
            return
        try:
            day = dt.date.fromisoformat(match.group(1))
        except ValueError:
            self.problem("bad_date", f"{match.group(1)} is not a date", where)
            return
        kind, rest = match.group(2), match.group(3)
        if kind in _TXN_FLAGS or (len(kind) == 1 and kind.isupper()):
            self._begin_txn(day, rest, where)
        elif kind == "open":
            self._open(day, rest, where)
        elif kind == "close":
            account = rest.split()[0] if rest.split() else ""
            if _ACCOUNT.match(account):
                self.out.closes.append(CloseAccount(account, day, where))
            else:
                self.problem("bad_account", f"close needs an account name, got {rest!r}", where)
        elif kind == "balance":
            self._balance(day, rest, where)
        elif kind == "pad":
            self.problem("unsupported", "pad is not supported: write the padding transaction out", where)
        elif kind not in _NO_EFFECT:
            self.problem("syntax", f"unknown directive {kind!r}", where)

    def _open(self, day: dt.date, rest: str, where: str) -> None:
        parts = rest.split(None, 1)
        if not parts or not _ACCOUNT.match(parts[0]):
            self.problem("bad_account", f"open needs an account name such as Assets:Bank, got {rest!r}", where)
            return
        currencies: tuple[str, ...] = ()
        if len(parts) > 1:
            spec = _STRING.sub("", parts[1]).strip()  # a booking method in quotes may follow
            currencies = tuple(c.strip() for c in spec.split(",") if c.strip())
        self.out.opens.append(OpenAccount(parts[0], day, currencies, where))

    def _balance(self, day: dt.date, rest: str, where: str) -> None:
        parts = rest.split(None, 1)
        account = parts[0] if parts else ""
        match = _AMOUNT.match(parts[1].replace("~", " ~ ").strip()) if len(parts) > 1 else None
        if not _ACCOUNT.match(account) or match is None:
            self.problem("syntax", f"balance needs 'Account amount CURRENCY', got {rest!r}", where)
            return
        try:
            amount = _number(match.group(1))
        except InvalidOperation:
            self.problem("bad_amount", f"{match.group(1)!r} is not a number", where)
            return
        self.out.assertions.append(BalanceAssertion(account, day, amount, match.group(2), where))

    def _begin_txn(self, day: dt.date, rest: str, where: str) -> None:
        strings = [s.replace('\\"', '"') for s in _STRING.findall(rest)]
        if len(strings) > 2:
            self.problem("syntax", "a transaction has at most a payee and a narration", where)
        narration = strings[-1] if strings else ""
        payee = strings[0] if len(strings) == 2 else ""
        memo = " - ".join(part for part in (payee, narration) if part) or "beancount transaction"
        self.txn = SourceEntry("", day, memo, [], where)
        self.elided, self.amounts, self.txn_ok = [], [], True

    def _indented(self, line: str, where: str) -> None:
        if self.txn is None:
            if not _METADATA.match(line):
                self.problem("syntax", "an indented line outside a transaction", where)
            return
        if _METADATA.match(line) or line.startswith(("#", "^")):
            return
        match = _POSTING.match(line)
        if match is None:
            self.problem("syntax", f"cannot read the posting {line[:60]!r}", where)
            self.txn_ok = False
            return
        account, rest = match.group(1), match.group(2).strip()
        if not rest:
            self.elided.append((account, where))
            return
        amount = _AMOUNT.match(rest)
        if amount is None:
            self.problem("syntax", f"cannot read the amount {rest!r}", where)
            self.txn_ok = False
            return
        if amount.group(3):
            self.problem("unsupported", "costs {...} and prices @ are not supported; post in one currency per line "
                                        "without conversion", where)
            self.txn_ok = False
            return
        try:
            value = _number(amount.group(1))
        except InvalidOperation:
            self.problem("bad_amount", f"{amount.group(1)!r} is not a number", where)
            self.txn_ok = False
            return
        self.amounts.append((account, value, amount.group(2)))
        self._add(self.txn, account, value, amount.group(2), where)

    @staticmethod
    def _add(txn: SourceEntry, account: str, value: Decimal, currency: str, where: str) -> None:
        if value == 0:
            return  # a zero posting moves nothing
        txn.lines.append(SourceLine(account, value if value > 0 else None, -value if value < 0 else None,
                                         currency, where))

    def _finish(self) -> None:
        txn, self.txn = self.txn, None
        if txn is None or not self.txn_ok:
            return
        if len(self.elided) > 1:
            self.problem("syntax", "at most one posting of a transaction may leave out its amount", txn.where)
            return
        if self.elided:
            residual: dict[str, Decimal] = {}
            for _account, value, currency in self.amounts:
                residual[currency] = residual.get(currency, Decimal(0)) + value
            open_currencies = [c for c, v in residual.items() if v != 0]
            if len(open_currencies) > 1:
                self.problem("syntax", "the posting without an amount would need several currencies",
                             self.elided[0][1])
                return
            if open_currencies:
                currency = open_currencies[0]
                self._add(txn, self.elided[0][0], -residual[currency], currency, self.elided[0][1])
                self.amounts.append((self.elided[0][0], -residual[currency], currency))
        txn.key = self._key(txn)
        self.out.entries.append(txn)

    def _key(self, txn: SourceEntry) -> str:
        text = "|".join([txn.date.isoformat(), txn.memo, *sorted(f"{a}={v}{c}" for a, v, c in self.amounts)])
        digest = hashlib.sha256(text.encode()).hexdigest()[:32]
        count = self.seen_keys.get(digest, 0) + 1
        self.seen_keys[digest] = count
        return f"{KEY_PREFIX}{digest}" + (f"#{count}" if count > 1 else "")


def read_beancount(path: Path) -> LedgerFile:
    """The ledger in ``path``: read by beancount's own loader when the package is installed, else by this module's
    parser of the subset a general ledger holds."""
    loaded = read_with_beancount(path)
    if loaded is not None:
        return loaded
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out = LedgerFile(str(path), "beancount")
        out.issues.append(Issue("unreadable_file", f"{path}: {exc}", str(path)))
        return out
    return parse_beancount(text, str(path))


def parse_beancount(text: str, name: str) -> LedgerFile:
    """The ledger in beancount ``text`` (``name`` is what messages call the file)."""
    return _Parser(name).parse(text)


def account_type(name: str) -> str:
    """Our account type of a beancount account name (from its root)."""
    return ROOTS[name.split(":", 1)[0]]


def is_beancount_name(name: str) -> bool:
    return bool(_ACCOUNT.match(name))


def read_with_beancount(path: Path) -> LedgerFile | None:
    """The ledger as beancount's own loader reads it (parse, plugins, booking, validation), or None when the
    ``beancount`` package is not installed.

    Beancount then decides the syntax and its own checks (unknown accounts, unbalanced transactions, failing balance
    assertions, ``pad`` filled in, amounts interpolated), reported at their lines; what a GL entry cannot hold (costs,
    prices) is reported as by ``parse_beancount``.
    """
    try:
        from beancount import loader
        from beancount.core import data
    except ImportError:
        return None
    name = str(path)
    out = LedgerFile(name, "beancount")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        out.issues.append(Issue("unreadable_file", f"{path}: {exc}", name))
        return out
    # load_string, not load_file: load_file may leave a pickle cache next to the user's ledger
    entries, errors, _options = loader.load_string(text)
    seen: set[tuple[str, str]] = set()
    for error in errors:
        where = _where(name, getattr(error, "source", None))
        code = "balance_failed" if type(error).__name__ == "BalanceError" else "beancount"
        # beancount may report one failing directive twice (its balance check and its validation)
        if (where, code) in seen or (where, error.message) in seen:
            continue
        seen.update({(where, code), (where, error.message)})
        out.issues.append(issue(code, error.message, where))
    keys: dict[str, int] = {}
    for entry in entries:
        where = _where(name, entry.meta)
        if isinstance(entry, data.Open):
            out.opens.append(OpenAccount(entry.account, entry.date, tuple(entry.currencies or ()), where))
        elif isinstance(entry, data.Close):
            out.closes.append(CloseAccount(entry.account, entry.date, where))
        elif isinstance(entry, data.Balance) and entry.amount.number is not None:
            out.assertions.append(BalanceAssertion(entry.account, entry.date, entry.amount.number,
                                                   entry.amount.currency, where))
        elif isinstance(entry, data.Transaction):
            txn = _transaction(entry, name, where, out)
            if txn is not None:
                txn.key = _stable_key(txn, keys)
                out.entries.append(txn)
    return out


def _where(name: str, meta: object) -> str:
    line = meta.get("lineno") if isinstance(meta, dict) else None
    return f"{name}:{line}" if line else name


def _transaction(entry: Any, name: str, where: str, out: LedgerFile) -> SourceEntry | None:
    """A beancount ``Transaction`` (booked: amounts filled in) as a source entry."""
    memo = " - ".join(part for part in (entry.payee or "", entry.narration or "") if part) or "beancount transaction"
    txn = SourceEntry("", entry.date, memo, [], where)
    for posting in entry.postings:
        line_where = _where(name, posting.meta) if posting.meta else where
        if posting.cost is not None or posting.price is not None:
            out.issues.append(issue("unsupported", "costs {...} and prices @ are not supported; post in one "
                                                   "currency per line without conversion", line_where))
            return None
        if posting.units is None or posting.units.number is None:
            out.issues.append(issue("syntax", "a posting without an amount beancount could not fill", line_where))
            return None
        _Parser._add(txn, posting.account, posting.units.number, posting.units.currency, line_where)
    return txn


def _stable_key(txn: SourceEntry, seen: dict[str, int]) -> str:
    """The same key ``parse_beancount`` gives: date, memo and the signed postings."""
    signed = sorted(f"{line.account}={line.debit if line.debit is not None else -(line.credit or 0)}{line.currency}"
                    for line in txn.lines)
    digest = hashlib.sha256("|".join([txn.date.isoformat(), txn.memo, *signed]).encode()).hexdigest()[:32]
    count = seen.get(digest, 0) + 1
    seen[digest] = count
    return f"{KEY_PREFIX}{digest}" + (f"#{count}" if count > 1 else "")
