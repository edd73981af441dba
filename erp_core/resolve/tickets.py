"""Service desk tickets as people name them: "TCK-000095", "ticket 95", "#95" → the tenant's ticket."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.errors import ErrorCode, Issue, NexusError
from erp_core.servicedesk.models import Ticket

_NUMBER = re.compile(r"^(?:tck|ticket|case)?\s*[-#:]?\s*0*(\d{1,9})$", re.IGNORECASE)


def resolve_ticket(session: Session, tenant: str, text: str) -> Ticket:
    """The ticket ``text`` names by its number (leading zeros and the TCK- prefix optional).

    Raises:
        NexusError: VALIDATION_FAILED when ``text`` is not a ticket number, NOT_FOUND when no such ticket exists.
    """
    m = _NUMBER.match(text.strip())
    if m is None:
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"not a ticket number: {text!r}",
                         issues=[Issue("bad_ticket", "give a ticket number such as TCK-000095", "ticket", text)])
    number = f"TCK-{int(m.group(1)):06d}"
    ticket = session.scalar(select(Ticket).where(Ticket.tenant == tenant, Ticket.number == number))
    if ticket is None:
        raise NexusError(ErrorCode.NOT_FOUND, f"ticket {number} not found")
    return ticket
