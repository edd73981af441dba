"""Monthly fiscal periods: open, close, reopen. Every change is audited."""

from __future__ import annotations

import calendar
import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append
from erp_core.errors import ErrorCode, Issue, NexusError, not_found, validation_error
from erp_core.identity import Actor
from erp_core.ledger.commands import PeriodRef
from erp_core.ledger.models import EntryStatus, FiscalPeriod, JournalEntry, PeriodStatus
from erp_core.ledger.roles import PERIOD_CLOSERS, PERIOD_OPENERS, PERIOD_REOPENERS, REPORT_READERS
from erp_core.tenancy import require_role, utcnow

# Periods may be opened from ten years back (history imports) to a year ahead (planning): an accountant opening 1900
# or 2999 is a typo or a probe, never a bookkeeping need.
OPEN_YEARS_BACK = 10
OPEN_MONTHS_AHEAD = 12


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def check_open_window(year: int, month: int, today: dt.date) -> None:
    """Refuse (VALIDATION_FAILED) a period outside the window around ``today`` that periods may be opened in."""
    now = _month_index(today.year, today.month)
    earliest, latest = now - 12 * OPEN_YEARS_BACK, now + OPEN_MONTHS_AHEAD
    if not earliest <= _month_index(year, month) <= latest:
        first = f"{earliest // 12}-{earliest % 12 + 1:02d}"
        last = f"{latest // 12}-{latest % 12 + 1:02d}"
        raise validation_error([Issue("period_out_of_range", f"periods can be opened from {first} to {last}",
                                      "year")])


def _bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _find(session: Session, tenant: str, year: int, month: int, *, lock: bool = False) -> FiscalPeriod | None:
    stmt = select(FiscalPeriod).where(FiscalPeriod.tenant == tenant, FiscalPeriod.year == year,
                                      FiscalPeriod.month == month)
    return session.scalars(stmt.with_for_update() if lock else stmt).first()


def _audit(session: Session, actor: Actor, action: str, period: FiscalPeriod) -> None:
    append(session, actor.tenant, AuditEvent(actor.user_id, action, "period", f"{period.year}-{period.month:02d}",
                                             {"status": period.status}))


def open_period(cmd: PeriodRef, actor: Actor, session: Session, *,
                today: dt.date | None = None) -> tuple[FiscalPeriod, bool]:
    """Create the period if missing (roles: accountant, controller, admin). Returns (period, created).

    Idempotent: an existing period is returned unchanged, whatever its status (reopening is a separate act). A new
    period must lie within ``OPEN_YEARS_BACK`` years before and ``OPEN_MONTHS_AHEAD`` months after ``today``.
    """
    require_role(actor, PERIOD_OPENERS, "opening periods")
    existing = _find(session, actor.tenant, cmd.year, cmd.month)
    if existing is not None:
        return existing, False
    check_open_window(cmd.year, cmd.month, today or dt.date.today())
    start, end = _bounds(cmd.year, cmd.month)
    period = FiscalPeriod(tenant=actor.tenant, year=cmd.year, month=cmd.month, start_date=start, end_date=end,
                          status=PeriodStatus.OPEN.value, changed_by=actor.user_id, changed_at=utcnow())
    try:
        with session.begin_nested():
            session.add(period)
            session.flush()
    except IntegrityError:  # a concurrent request created it first
        found = _find(session, actor.tenant, cmd.year, cmd.month)
        if found is None:
            raise
        return found, False
    _audit(session, actor, "period.opened", period)
    return period, True


def close_period(cmd: PeriodRef, actor: Actor, session: Session) -> FiscalPeriod:
    """Close a period (roles: controller, cfo). Refused while entries dated in it still await approval."""
    require_role(actor, PERIOD_CLOSERS, "closing periods")
    period = _find(session, actor.tenant, cmd.year, cmd.month, lock=True)
    if period is None:
        raise not_found("period", f"{cmd.year}-{cmd.month:02d}")
    if period.status == PeriodStatus.CLOSED:
        return period
    waiting = list(session.scalars(select(JournalEntry.id).where(
        JournalEntry.tenant == actor.tenant, JournalEntry.status.in_([EntryStatus.PENDING_APPROVAL.value,
                                                                      EntryStatus.DRAFT.value]),
        JournalEntry.entry_date >= period.start_date, JournalEntry.entry_date <= period.end_date)))
    if waiting:
        raise validation_error([Issue("entry_pending", f"journal entry {entry_id} dated in the period awaits "
                                      "approval; approve or reject it first", "period") for entry_id in waiting],
                               f"{len(waiting)} entries in {cmd.year}-{cmd.month:02d} still await approval")
    period.status, period.changed_by, period.changed_at = PeriodStatus.CLOSED.value, actor.user_id, utcnow()
    _audit(session, actor, "period.closed", period)
    return period


def reopen_period(cmd: PeriodRef, actor: Actor, session: Session) -> FiscalPeriod:
    """Reopen a closed period (role: controller); audited."""
    require_role(actor, PERIOD_REOPENERS, "reopening periods")
    period = _find(session, actor.tenant, cmd.year, cmd.month, lock=True)
    if period is None:
        raise not_found("period", f"{cmd.year}-{cmd.month:02d}")
    if period.status == PeriodStatus.OPEN:
        raise NexusError(ErrorCode.INVALID_STATE, f"period {cmd.year}-{cmd.month:02d} is already open")
    period.status, period.changed_by, period.changed_at = PeriodStatus.OPEN.value, actor.user_id, utcnow()
    _audit(session, actor, "period.reopened", period)
    return period


def list_periods(actor: Actor, session: Session) -> list[FiscalPeriod]:
    require_role(actor, REPORT_READERS | PERIOD_OPENERS, "reading periods")
    stmt = select(FiscalPeriod).where(FiscalPeriod.tenant == actor.tenant).order_by(FiscalPeriod.year,
                                                                                     FiscalPeriod.month)
    return list(session.scalars(stmt))


def period_view(period: FiscalPeriod) -> dict[str, object]:
    return {"year": period.year, "month": period.month, "status": period.status,
            "start_date": period.start_date.isoformat(), "end_date": period.end_date.isoformat()}
