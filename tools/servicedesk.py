"""Service desk tools: look up tickets and report SLA breaches.

Tickets are about customer accounts, so they are for the people who look after customers (sales and finance
leadership, like the CRM) and for admins (IT runs the desk).
"""

from __future__ import annotations

import datetime as dt

from erp_core.crm.access import SALES_ROLES
from erp_core.resolve import resolve_period
from erp_core.resolve.domain_queries import SlaQuery, TicketQuery
from erp_core.resolve.parties import resolve_customer
from erp_core.resolve.tickets import resolve_ticket
from erp_core.servicedesk.queries import list_tickets, sla_breach_report, ticket_view
from tools import present_people as present
from tools.context import ToolContext
from tools.output import ToolOutput
from tools.registry import tool

MAX_ROWS = 15
_BRIEF = ("number", "subject", "priority", "status", "category", "account_id", "assignee_user_id", "sla_due_at")


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


@tool("ticket_lookup", TicketQuery, roles=SALES_ROLES, examples=(
    "What's the status of ticket TCK-000095?", "Show open support tickets for Northwind", "List urgent tickets that "
    "are still open", "Which cases is the service desk waiting on?"))
def ticket_lookup(ctx: ToolContext, q: TicketQuery) -> ToolOutput:
    """One service desk ticket by number, or tickets filtered by customer, status and priority (newest first)."""
    with ctx.db.read() as session:
        if q.ticket:
            view = ticket_view(resolve_ticket(session, ctx.actor.tenant, q.ticket))
            past_due = view.resolved_at is None and view.sla_due_at < _end_of(ctx.today)
            return ToolOutput(f"{view.number} \"{view.subject}\": {view.status}, {view.priority} priority, SLA due "
                              f"{view.sla_due_at:%Y-%m-%d %H:%M} UTC" + (" (breached)" if past_due else ""),
                              view.model_dump(mode="json"), presentation=present.ticket(view, past_due),
                              query={"ticket": view.number})
        account = resolve_customer(session, ctx.actor, q.customer) if q.customer else None
        who = f" for {account.name}" if account else ""
        customer_code = account.code if account else None
        views = list_tickets(session, ctx.actor, q.status, q.priority, limit=200,
                             account_id=account.id if account else None)
    rows = [{k: v for k, v in t.model_dump(mode="json").items() if k in _BRIEF} for t in views[:MAX_ROWS]]
    scope = " ".join(x for x in (q.status, q.priority) if x)
    newest = "; ".join(f"{r['number']} {r['subject']} ({r['status']})" for r in rows[:3])
    return ToolOutput(f"{len(views)}{'+' if len(views) == 200 else ''} {scope + ' ' if scope else ''}tickets{who}"
                      + (f"; newest: {newest}" if newest else ""), {"count": len(views), "tickets": rows},
                      presentation=present.tickets(rows, len(views), scope, who),
                      query={"customer": customer_code, "status": q.status,
                             "priority": q.priority})


@tool("sla_breaches", SlaQuery, roles=SALES_ROLES, examples=(
    "How many tickets breached their SLA last month?", "SLA compliance report for Q3", "Are we missing our support "
    "response targets?", "Which open tickets are overdue?"))
def sla_breaches(ctx: ToolContext, q: SlaQuery) -> ToolOutput:
    """Tickets opened in a period that breached their resolution SLA, per priority, and the worst open breaches."""
    rng = resolve_period(q.period or "this month", ctx.today)
    with ctx.db.read() as session:
        report = sla_breach_report(session, ctx.actor, rng.start, rng.end, _end_of(min(rng.end, ctx.today)),
                                   any_open=q.period is None)
    rate = f"{report.breach_rate * 100:.1f}%" if report.breach_rate is not None else "n/a"
    per = ", ".join(f"{r.priority} {r.breached}/{r.tickets}" for r in report.rows)
    now = (f"{report.open_breached_total} open tickets past their SLA now"
           + (f" ({', '.join(t.number for t in report.worst_open_breaches[:5])})" if report.worst_open_breaches else "")
           + "; ") if report.any_open else ""
    return ToolOutput(f"{now}SLA {rng.label}: {report.total_breached} of {report.total_tickets} tickets breached "
                      f"({rate}); by priority {per}",
                      {"period": rng.label, "total_tickets": report.total_tickets,
                       "total_breached": report.total_breached, "breach_rate": report.breach_rate,
                       "rows": [r.model_dump() for r in report.rows],
                       "open_breached_total": report.open_breached_total,
                       "worst_open_breaches": [{k: v for k, v in t.model_dump(mode="json").items() if k in _BRIEF}
                                               for t in report.worst_open_breaches[:10]]},
                      presentation=present.sla(report),
                      query={"period": rng.label, "start": rng.start.isoformat(), "end": rng.end.isoformat()})
