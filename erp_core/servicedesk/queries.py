"""Service desk reads: the SLA breach report and per-account ticket counts (SQL aggregates)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from erp_core.crm.access import as_utc
from erp_core.identity import Actor
from erp_core.servicedesk.models import DONE_STATUSES, OPEN_STATUSES, PRIORITIES, Ticket


class TicketView(BaseModel):
    id: int
    number: str
    subject: str
    account_id: int | None
    priority: str
    status: str
    category: str
    assignee_user_id: str | None
    opened_at: dt.datetime
    sla_due_at: dt.datetime
    resolved_at: dt.datetime | None


class SlaRow(BaseModel):
    priority: str
    tickets: int
    breached: int
    open_breached: int
    breach_rate: float | None


class SlaReport(BaseModel):
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    rows: list[SlaRow]
    total_tickets: int
    total_breached: int
    breach_rate: float | None
    worst_open_breaches: list[TicketView]
    open_breached_total: int = 0  # open tickets past their SLA, of the period or (any_open) of every period
    any_open: bool = False  # the open breaches are every open ticket's, not only those opened in the period


def ticket_view(ticket: Ticket) -> TicketView:
    return TicketView(id=ticket.id, number=ticket.number, subject=ticket.subject, account_id=ticket.account_id,
                      priority=ticket.priority, status=ticket.status, category=ticket.category,
                      assignee_user_id=ticket.assignee_user_id, opened_at=as_utc(ticket.opened_at),
                      sla_due_at=as_utc(ticket.sla_due_at),
                      resolved_at=as_utc(ticket.resolved_at) if ticket.resolved_at else None)


def _breached(as_of: dt.datetime):  # type: ignore[no-untyped-def]
    """A ticket breaches when it was resolved after its due time, or is still open past it."""
    return or_(
        and_(Ticket.status.in_(DONE_STATUSES), Ticket.resolved_at > Ticket.sla_due_at),
        and_(Ticket.status.in_(OPEN_STATUSES), Ticket.sla_due_at < as_of),
    )


def sla_breach_report(session: Session, actor: Actor, start: dt.date, end: dt.date,
                      as_of: dt.datetime, worst: int = 10, any_open: bool = False) -> SlaReport:
    """Tickets opened in [start, end], per priority: how many breached their SLA (as of ``as_of``); and the open
    tickets past their SLA, of that period or, with ``any_open``, whenever they were opened ("which tickets are
    breaching their SLA?" asks about now, not about this month's tickets)."""
    as_of = as_utc(as_of)
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    breached = _breached(as_of)
    open_breached = and_(Ticket.status.in_(OPEN_STATUSES), Ticket.sla_due_at < as_of)
    window = and_(Ticket.tenant == actor.tenant, Ticket.opened_at >= lo, Ticket.opened_at < hi)
    stmt = (
        select(Ticket.priority, func.count(Ticket.id), func.sum(case((breached, 1), else_=0)),
               func.sum(case((open_breached, 1), else_=0)))
        .where(window)
        .group_by(Ticket.priority)
    )
    by_priority = {row[0]: (int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in session.execute(stmt)}
    rows = []
    for priority in PRIORITIES:
        total, n_breached, n_open = by_priority.get(priority, (0, 0, 0))
        rows.append(SlaRow(priority=priority, tickets=total, breached=n_breached, open_breached=n_open,
                           breach_rate=round(n_breached / total, 4) if total else None))
    total = sum(r.tickets for r in rows)
    total_breached = sum(r.breached for r in rows)
    open_scope = Ticket.tenant == actor.tenant if any_open else window
    worst_rows = session.scalars(select(Ticket).where(open_scope, open_breached)
                                 .order_by(Ticket.sla_due_at, Ticket.id).limit(worst))
    if any_open:  # every period's open breaches need a count of their own
        open_total = session.scalar(select(func.count(Ticket.id)).where(open_scope, open_breached)) or 0
    else:  # the period's are already counted per priority
        open_total = sum(r.open_breached for r in rows)
    return SlaReport(start=start, end=end, as_of=as_of, rows=rows, total_tickets=total,
                     total_breached=total_breached,
                     breach_rate=round(total_breached / total, 4) if total else None,
                     worst_open_breaches=[ticket_view(t) for t in worst_rows], open_breached_total=int(open_total),
                     any_open=any_open)


def ticket_counts_for_account(session: Session, tenant: str, account_id: int, as_of: dt.datetime) -> tuple[int, int]:
    """(open tickets, open tickets past their SLA) for one customer account."""
    stmt = select(func.count(Ticket.id), func.sum(case((Ticket.sla_due_at < as_of, 1), else_=0))).where(
        Ticket.tenant == tenant, Ticket.account_id == account_id, Ticket.status.in_(OPEN_STATUSES))
    row = session.execute(stmt).one()
    return int(row[0] or 0), int(row[1] or 0)


def list_tickets(session: Session, actor: Actor, status: str | None = None, priority: str | None = None,
                 limit: int = 50, account_id: int | None = None) -> list[TicketView]:
    stmt = select(Ticket).where(Ticket.tenant == actor.tenant)
    if account_id is not None:
        stmt = stmt.where(Ticket.account_id == account_id)
    if status is not None:
        stmt = stmt.where(Ticket.status == status)
    if priority is not None:
        stmt = stmt.where(Ticket.priority == priority)
    return [ticket_view(t) for t in session.scalars(stmt.order_by(Ticket.opened_at.desc()).limit(limit))]
