"""Service desk: tickets with priorities and SLA due times, and the SLA breach report."""

from erp_core.servicedesk.models import PRIORITIES, SLA_HOURS, STATUSES, Ticket
from erp_core.servicedesk.queries import SlaReport, SlaRow, TicketView, sla_breach_report, ticket_counts_for_account
from erp_core.servicedesk.service import OpenTicket, UpdateTicket, open_ticket, update_ticket

__all__ = ["PRIORITIES", "SLA_HOURS", "STATUSES", "OpenTicket", "SlaReport", "SlaRow", "Ticket", "TicketView",
           "UpdateTicket", "open_ticket", "sla_breach_report", "ticket_counts_for_account", "update_ticket"]
