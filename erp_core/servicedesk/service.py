"""Service desk writes: open a ticket (its SLA due time is fixed then) and move it through its statuses."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.crm.records import load_account
from erp_core.errors import ErrorCode, NexusError, not_found
from erp_core.identity import Actor
from erp_core.servicedesk.models import SLA_HOURS, Ticket
from erp_core.servicedesk.queries import TicketView, ticket_view

# Allowed status moves; "closed" is final, a resolved ticket may be reopened.
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "waiting", "resolved"}),
    "in_progress": frozenset({"waiting", "resolved"}),
    "waiting": frozenset({"in_progress", "resolved"}),
    "resolved": frozenset({"closed", "open"}),
    "closed": frozenset(),
}


class OpenTicket(BaseModel):
    """Open a service desk ticket for a customer account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str = Field(min_length=3, max_length=200, description="Short summary of the problem.")
    priority: Literal["urgent", "high", "medium", "low"] = Field(description="Urgency; sets the SLA due time.")
    account_id: int | None = Field(None, description="CRM account id of the customer, if any.")
    category: str = Field("general", max_length=40, description="Area, e.g. billing, hardware, software.")
    assignee_user_id: str | None = Field(None, description="Agent who works the ticket.")


class UpdateTicket(BaseModel):
    """Change a ticket's status or assignee."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket_id: int = Field(description="Ticket id.")
    status: Literal["open", "in_progress", "waiting", "resolved", "closed"] | None = Field(
        None, description="New status.")
    assignee_user_id: str | None = Field(None, description="New assignee.")


def open_ticket(cmd: OpenTicket, actor: Actor, session: Session, *, now: dt.datetime | None = None) -> TicketView:
    opened_at = now or dt.datetime.now(dt.UTC)
    if cmd.account_id is not None:
        load_account(session, actor.tenant, cmd.account_id)
    count = session.scalar(select(func.count(Ticket.id)).where(Ticket.tenant == actor.tenant)) or 0
    ticket = Ticket(
        tenant=actor.tenant, number=f"TCK-{count + 1:06d}", subject=cmd.subject.strip(), account_id=cmd.account_id,
        priority=cmd.priority, status="open", category=cmd.category, assignee_user_id=cmd.assignee_user_id,
        opened_by=actor.user_id, opened_at=opened_at,
        sla_due_at=opened_at + dt.timedelta(hours=SLA_HOURS[cmd.priority]), resolved_at=None,
    )
    session.add(ticket)
    session.flush()
    return ticket_view(ticket)


def update_ticket(cmd: UpdateTicket, actor: Actor, session: Session, *,
                  now: dt.datetime | None = None) -> TicketView:
    ticket = session.get(Ticket, cmd.ticket_id)
    if ticket is None or ticket.tenant != actor.tenant:
        raise not_found("ticket", cmd.ticket_id)
    if cmd.status is not None and cmd.status != ticket.status:
        if cmd.status not in TRANSITIONS[ticket.status]:
            raise NexusError(ErrorCode.INVALID_STATE,
                             f"ticket {ticket.number} cannot go from {ticket.status} to {cmd.status}")
        ticket.status = cmd.status
        if cmd.status == "resolved":
            ticket.resolved_at = now or dt.datetime.now(dt.UTC)
        elif cmd.status == "open":
            ticket.resolved_at = None
    if cmd.assignee_user_id is not None:
        ticket.assignee_user_id = cmd.assignee_user_id
    session.flush()
    return ticket_view(ticket)
