"""``nexus import journal``: ledger history from a CSV or beancount file, as one approved batch.

Steps, all in the caller's unit of work (any problem rolls everything back):
1. read the file (every syntax problem with ``file:line``); for beancount, plan the accounts it implies;
2. set aside entries the ledger already holds under the same idempotency key (a re-run changes nothing; the same key
   with other content is reported);
3. create the periods the new entries need, validate them all against the ledger (every issue with ``file:line``);
4. open one approval for the batch, bound to its hash, prepared by ``preparer_id`` and decided by ``approver``;
   the approval posts the batch through the bulk path;
5. check the balance assertions, close the accounts the file closes, and close the created periods that lie before
   the tenant's current open period.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append_many, payload_hash
from erp_core.errors import ErrorCode, Issue, NexusError, validation_error
from erp_core.identity import Actor
from erp_core.imports.approval import PendingBatch, approve_batch
from erp_core.imports.beancount import read_beancount
from erp_core.imports.beancount_accounts import ChartPlan, plan_chart
from erp_core.imports.csvfile import issue
from erp_core.imports.journal_csv import read_journal_csv
from erp_core.imports.sources import LedgerFile, SourceEntry
from erp_core.ledger import (
    CreateAccount,
    JournalLineIn,
    PeriodRef,
    PostJournalEntry,
    SetAccountActive,
    close_period,
    create_account,
    set_account_active,
)
from erp_core.ledger.bulk import prepare_entries, stored_entries, validate_entries, write_posted
from erp_core.ledger.models import Account, AccountType, FiscalPeriod, JournalLine, PeriodStatus
from erp_core.ledger.periods import check_open_window
from erp_core.ledger.validation import canonical_payload
from erp_core.money import MoneyError, fmt, from_minor, to_minor
from erp_core.tenancy import functional_currency, utcnow

Progress = Callable[[str, int, int], None]
POST_CHUNK = 5000
#: who may approve an import batch: the roles that answer for the books (the first one the approver holds is the
#: requirement the approval is recorded against)
APPROVER_ROLES = ("controller", "cfo", "admin")
_ENTRY_FIELD = re.compile(r"^entries\[(\d+)\](?:\.lines\[(\d+)\])?")
SUFFIXES = {".csv": "csv", ".beancount": "beancount", ".bean": "beancount"}


@dataclass
class JournalImportSummary:
    file: str
    format: str
    entries: int = 0
    posted: int = 0
    unchanged: int = 0
    accounts_created: int = 0
    periods_created: int = 0
    periods_closed: int = 0
    assertions_checked: int = 0
    approval_id: str | None = None
    batch_hash: str | None = None
    seconds: float = 0.0
    entry_ids: list[str] = field(default_factory=list, repr=False)

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds > 0 else 0.0

    def text(self) -> str:
        approval = f"; approval {self.approval_id} (batch sha256 {self.batch_hash})" if self.approval_id else ""
        return (f"{self.file}: {self.entries:,} entries ({self.posted:,} posted, {self.unchanged:,} unchanged), "
                f"{self.accounts_created} accounts created, {self.periods_created} periods created "
                f"({self.periods_closed} closed), {self.assertions_checked} balance assertions checked{approval}; "
                f"{self.seconds:.2f} s, {self.rate:,.0f} entries/s")


def read_ledger_file(path: Path) -> LedgerFile:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise validation_error([Issue("unsupported_format", f"{path}: journal files are .csv or .beancount",
                                      str(path))])
    if not path.is_file():
        raise NexusError(ErrorCode.NOT_FOUND, f"file {path} not found")
    return read_journal_csv(path) if kind == "csv" else read_beancount(path)


def _command(entry: SourceEntry, codes: dict[str, str] | None, currency: str = "") -> PostJournalEntry:
    """The entry as a ledger command; a line without a currency is in ``currency`` (the tenant's functional one)."""
    return PostJournalEntry(date=entry.date, memo=entry.memo, idempotency_key=entry.key, lines=[
        JournalLineIn(account_code=codes.get(line.account, line.account) if codes else line.account,
                      debit=line.debit, credit=line.credit, currency=line.currency or currency)
        for line in entry.lines])


def _commands(entries: list[SourceEntry], codes: dict[str, str], currency: str,
              issues: list[Issue]) -> list[PostJournalEntry]:
    commands = []
    for entry in entries:
        try:
            commands.append(_command(entry, codes, currency))
        except ValidationError as exc:
            issues.extend(issue("bad_field", f"{'.'.join(map(str, e['loc']))}: {e['msg']}", entry.where)
                          for e in exc.errors())
    return commands


def _located(issues: list[Issue], entries: list[SourceEntry]) -> list[Issue]:
    """Validation issues (fields ``entries[i].lines[j]…``) re-pointed at the file lines they come from."""
    located = []
    for found in issues:
        match = _ENTRY_FIELD.match(found.field or "")
        if match is None:
            located.append(found)
            continue
        entry = entries[int(match.group(1))]
        where = entry.where
        if match.group(2) is not None and int(match.group(2)) < len(entry.lines):
            where = entry.lines[int(match.group(2))].where
        located.append(issue(found.code, found.message, where))
    return located


def _replay_hash(cmd: PostJournalEntry) -> str | None:
    """The payload hash the entry would have had; None when its amounts cannot even be read (then it differs)."""
    try:
        return payload_hash(canonical_payload(cmd))
    except MoneyError:
        return None


def _line_order(found: Issue) -> tuple[str, int]:
    """Issues in file order: by the line number at the end of their ``file:line`` location."""
    where = found.field or ""
    name, _, line = where.rpartition(":")
    return (name, int(line)) if line.isdigit() else (where, 0)


def current_open_period(session: Session, tenant: str, today: dt.date) -> tuple[int, int]:
    """The tenant's earliest open period, or today's month when none is open: history before it is closed."""
    row = session.execute(select(FiscalPeriod.year, FiscalPeriod.month).where(
        FiscalPeriod.tenant == tenant, FiscalPeriod.status == PeriodStatus.OPEN.value).order_by(
        FiscalPeriod.year, FiscalPeriod.month).limit(1)).first()
    return (row[0], row[1]) if row else (today.year, today.month)


def _months_in_window(entries: list[SourceEntry], today: dt.date, issues: list[Issue]) -> set[tuple[int, int]]:
    """The months the entries need, less those periods may not be opened for (reported at each month's first entry;
    the ledger's window: ``erp_core.ledger.periods.check_open_window``)."""
    first: dict[tuple[int, int], SourceEntry] = {}
    for entry in entries:
        first.setdefault((entry.date.year, entry.date.month), entry)
    months = set()
    for (year, month), entry in sorted(first.items()):
        try:
            check_open_window(year, month, today)
        except NexusError as exc:
            issues.extend(issue(i.code, f"{entry.date:%Y-%m}: {i.message}", entry.where) for i in exc.issues)
            continue
        months.add((year, month))
    return months


def _create_periods(session: Session, tenant: str, months: set[tuple[int, int]], actor: Actor,
                    today: dt.date) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Open the missing months; returns (created, those to close after posting)."""
    existing = set(session.execute(select(FiscalPeriod.year, FiscalPeriod.month).where(
        FiscalPeriod.tenant == tenant)).tuples())
    current = current_open_period(session, tenant, today)
    created = sorted(months - existing)
    for year, month in created:
        last = calendar.monthrange(year, month)[1]
        session.add(FiscalPeriod(tenant=tenant, year=year, month=month, start_date=dt.date(year, month, 1),
                                 end_date=dt.date(year, month, last), status=PeriodStatus.OPEN.value,
                                 changed_by=actor.user_id, changed_at=utcnow()))
    session.flush()
    if created:
        append_many(session, tenant, [AuditEvent(actor.user_id, "period.opened", "period", f"{y}-{m:02d}",
                                                 {"status": PeriodStatus.OPEN.value, "source": "import"})
                                      for y, m in created])
    return created, [ym for ym in created if ym < current]


def _create_accounts(plan: ChartPlan, actor: Actor, session: Session) -> int:
    for account in plan.new:
        create_account(CreateAccount(code=account.code, name=account.name, type=AccountType(account.type),
                                     parent_code=account.parent_code, postable=account.postable,
                                     currency=account.currency), actor, session)
    return len(plan.new)


def _check_closes(source: LedgerFile, plan: ChartPlan, issues: list[Issue]) -> None:
    closed = {c.name: c for c in source.closes}
    issues.extend(issue("unknown_account", f"close of {c.name}, which is never opened", c.where)
                  for c in source.closes if c.name not in plan.codes)
    for entry in source.entries:
        for line in entry.lines:
            close = closed.get(line.account)
            if close is not None and entry.date > close.date:
                issues.append(issue("account_closed", f"{line.account} was closed on {close.date} "
                                                      f"({close.where})", line.where))


def _check_assertions(source: LedgerFile, plan: ChartPlan, tenant: str, session: Session) -> list[Issue]:
    issues: list[Issue] = []
    if not source.assertions:
        return issues
    ids = dict(session.execute(select(Account.code, Account.id).where(Account.tenant == tenant)).tuples().all())
    for assertion in source.assertions:
        names = [n for n in plan.codes if n == assertion.account or n.startswith(assertion.account + ":")]
        account_ids = [ids[plan.codes[n]] for n in names if plan.codes[n] in ids]
        try:
            expected = to_minor(assertion.amount, assertion.currency)
        except MoneyError as exc:
            issues.append(issue("bad_amount", str(exc), assertion.where))
            continue
        actual = session.scalar(select(func.coalesce(func.sum(JournalLine.debit_minor - JournalLine.credit_minor), 0))
                                .where(JournalLine.tenant == tenant, JournalLine.account_id.in_(account_ids),
                                       JournalLine.currency == assertion.currency,
                                       JournalLine.entry_date < assertion.date)) or 0
        if int(actual) != expected:
            issues.append(issue("balance_failed", f"balance of {assertion.account} at the start of {assertion.date}"
                                                  f" is {fmt(from_minor(int(actual), assertion.currency))} "
                                                  f"{assertion.currency}, the file asserts "
                                                  f"{fmt(assertion.amount)} {assertion.currency}", assertion.where))
    return issues


def import_journal(path: Path, tenant: str, preparer_id: str, approver: Actor, session: Session, *,
                   progress: Progress | None = None, today: dt.date | None = None) -> JournalImportSummary:
    """Import the ledger history in ``path`` for ``tenant`` as one approved batch (see the module docstring).

    Raises:
        NexusError: VALIDATION_FAILED listing every problem with ``file:line`` (nothing written);
            SEGREGATION_OF_DUTIES when the approver is the preparer; FORBIDDEN when the approver lacks the role.
    """
    started = time.perf_counter()
    report = progress or (lambda _stage, _done, _total: None)
    if approver.user_id == preparer_id:
        raise NexusError(ErrorCode.SEGREGATION_OF_DUTIES, "segregation of duties: the import's preparer "
                                                          f"({preparer_id}) cannot approve it; pass another user "
                                                          "with --approve-as")
    approver_role = next((role for role in APPROVER_ROLES if approver.has_role(role)), None)
    if approver_role is None:
        raise NexusError(ErrorCode.FORBIDDEN, f"approving an import needs one of the roles: "
                                              f"{', '.join(APPROVER_ROLES)} (--approver-roles)")
    preparer = Actor.of(preparer_id, tenant, "system,admin,controller")
    source = read_ledger_file(path)
    summary = JournalImportSummary(str(path), source.format, entries=len(source.entries))
    report("read", 1, 1)
    issues = list(source.issues)
    currency = functional_currency(session, tenant)
    plan = ChartPlan({}, [])
    if source.format == "beancount":
        plan = plan_chart(source, session, tenant, currency, issues)
        _check_closes(source, plan, issues)
    # Everything below runs even when reading found problems, so one run reports every problem of the file; the
    # accounts and periods it creates on the way are rolled back with the rest when anything was found.
    summary.accounts_created = _create_accounts(plan, preparer, session)
    commands = _commands(source.entries, plan.codes, currency, issues)
    entries = source.entries if len(commands) == len(source.entries) else \
        [e for e in source.entries if e.key in {c.idempotency_key for c in commands}]
    stored = stored_entries(session, tenant, [cmd.idempotency_key for cmd in commands])
    new_entries: list[SourceEntry] = []
    new_commands: list[PostJournalEntry] = []
    for entry, cmd in zip(entries, commands, strict=True):
        found = stored.get(cmd.idempotency_key)
        if found is None:
            new_entries.append(entry)
            new_commands.append(cmd)
        elif found.payload_hash != _replay_hash(cmd):
            issues.append(issue("idempotency_conflict", f"entry {cmd.idempotency_key} was imported before with "
                                                        "other content", entry.where))
    summary.unchanged = len(commands) - len(new_commands)
    day = today or dt.date.today()
    months = _months_in_window(new_entries, day, issues)
    created, to_close = _create_periods(session, tenant, months, preparer, day)
    summary.periods_created = len(created)
    results, found_issues, currency = validate_entries(new_commands, preparer, session, check_used_keys=False)
    report("validate", len(new_commands), len(new_commands))
    issues.extend(_located(found_issues, new_entries))
    if issues:
        issues.sort(key=_line_order)
        raise validation_error(issues, f"{len(issues)} problems in {path}; nothing was imported")
    if new_commands:
        prepared = prepare_entries(new_commands, results)
        digest = hashlib.sha256("\n".join(p.payload_hash for p in prepared).encode()).hexdigest()
        total = sum((p.valid.functional_amount for p in prepared), Decimal(0))

        def carry_out(decider: Actor, approval_id: str) -> None:
            for start in range(0, len(prepared), POST_CHUNK):
                chunk = prepared[start:start + POST_CHUNK]
                summary.entry_ids += write_posted(chunk, session, tenant=tenant, currency=currency,
                                                  created_by=preparer_id, posted_by=decider.user_id,
                                                  source=f"import:{source.format}", approval_id=approval_id)
                report("post", start + len(chunk), len(prepared))

        batch = PendingBatch(
            payload={"batch_hash": digest, "entries": len(prepared), "file": path.name, "format": source.format,
                     "first_date": min(c.date for c in new_commands).isoformat(),
                     "last_date": max(c.date for c in new_commands).isoformat()},
            preparer_id=preparer_id, amount=total, currency=currency,
            summary=f"Import of {len(prepared):,} journal entries from {path.name}", carry_out=carry_out)
        summary.approval_id = approve_batch(session, tenant, batch, approver, approver_role)
        summary.batch_hash = digest
        summary.posted = len(summary.entry_ids)
    assertion_issues = _check_assertions(source, plan, tenant, session)
    summary.assertions_checked = len(source.assertions)
    if assertion_issues:
        raise validation_error(assertion_issues, f"{len(assertion_issues)} balance assertions failed in {path}; "
                                                 "nothing was imported")
    for close in source.closes:
        set_account_active(SetAccountActive(code=plan.codes[close.name], active=False), preparer, session)
    for year, month in to_close:
        close_period(PeriodRef(year=year, month=month), preparer, session)
    summary.periods_closed = len(to_close)
    summary.seconds = time.perf_counter() - started
    return summary
