"""Every tool the assistant offers, listed by domain module: the one table an agent's registry is built from.
Nothing registers itself by being imported; a tool that is not listed here does not exist for the agent. The order is
the order the model and the router see the tools in."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tools import analysis, crm, epm, gl, hr, knowledge, procurement, servicedesk
from tools.output import ToolOutput
from tools.registry import ToolRegistry

TOOLS: Mapping[str, tuple[Callable[..., ToolOutput], ...]] = {
    "gl": (gl.account_balance, gl.trial_balance, gl.account_activity, gl.income_statement, gl.balance_sheet,
           gl.journal_entry, gl.open_invoices, gl.open_bills, gl.pending_approvals, gl.propose_journal_entry,
           gl.propose_reversal),
    "epm": (epm.budget_vs_actual_tool, epm.kpi, epm.forecast, epm.anomaly_review),
    "crm": (crm.pipeline, crm.won_business, crm.deals_at_risk, crm.account_360, crm.propose_opportunity_update),
    "hr": (hr.employee_lookup, hr.reporting_chain, hr.leave_balance, hr.propose_leave_request, hr.headcount),
    "servicedesk": (servicedesk.ticket_lookup, servicedesk.sla_breaches),
    "knowledge": (knowledge.search_documents, knowledge.graph_query),
    "procurement": (procurement.propose_purchase_order,),
    "analysis": (analysis.breakdown, analysis.ranking, analysis.period_comparison),
}


def load_all() -> ToolRegistry:
    """The product's registry: every tool in the catalog, in its order."""
    return ToolRegistry.of(fn for functions in TOOLS.values() for fn in functions)
