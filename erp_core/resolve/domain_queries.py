"""Commands of the EPM, CRM, HR, service desk and knowledge tools, in the words people use.

Like ``erp_core.resolve.queries`` (the ledger's), each model is both the tool's argument schema the model fills in
and the input its resolver turns into ids; field descriptions are what the model reads, so they show examples.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from erp_core.resolve.slots import slot

_PERIOD = "Period as said: \"last month\", \"Q3\", \"FY2025\", \"YTD\", \"October\", \"2026-10\"."
_DEPARTMENT = "Department name or code, e.g. \"engineering\", \"ENG\"; omit for the whole company."
_PERSON = "Who: \"me\", \"my manager\", a name (\"Maria Alvarez\"), a login (\"maria@acme\") or an employee number."
_CUSTOMER = "Customer name or code, e.g. \"Northwind\", \"C0001\"."
_DAY = "Day as said: \"2026-12-21\", \"tomorrow\", \"next Monday\", \"December 21\"."
Stage = Literal["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"]
LeaveType = Literal["annual", "sick", "unpaid"]


class _Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ------------------------------------------------------------------------------------------------------------- EPM


class BudgetQuery(_Query):
    period: str | None = Field(None, max_length=40, description=_PERIOD + " Default: last month.",
                               json_schema_extra=slot("period"))
    department: str | None = Field(None, max_length=80, description=_DEPARTMENT, json_schema_extra=slot("department"))


class KpiQuery(_Query):
    kpi: str | None = Field(None, max_length=80, description="KPI as said: \"revenue\", \"gross margin\", \"burn\", "
                                                              "\"DSO\", \"EBITDA\", \"cash\"; omit for all KPIs.",
                            json_schema_extra=slot("kpi"))
    period: str | None = Field(None, max_length=40, description=_PERIOD + " Default: last month.",
                               json_schema_extra=slot("period"))
    department: str | None = Field(None, max_length=80, description=_DEPARTMENT, json_schema_extra=slot("department"))


class ForecastQuery(_Query):
    subject: str = Field(min_length=1, max_length=120, description="What to forecast: a KPI (\"revenue\", \"cash\", "
                                                                   "\"opex\") or an account (\"travel\", \"6100\").",
                         json_schema_extra=slot("subject"))
    months: int = Field(3, ge=1, le=24, description="How many months ahead.", json_schema_extra=slot("months"))
    period: str | None = Field(None, max_length=40, description="The months to forecast, as said: \"next quarter\", "
                                                                "\"Q1 2027\", \"December\". Default: the next "
                                                                "`months` months.", json_schema_extra=slot("period"))
    department: str | None = Field(None, max_length=80, description=_DEPARTMENT, json_schema_extra=slot("department"))


class AnomalyQuery(_Query):
    period: str | None = Field(None, max_length=40, description=_PERIOD + " Default: this year.",
                               json_schema_extra=slot("period"))
    min_score: float = Field(0.8, ge=0.0, le=1.0, description="Lowest anomaly score to list (0-1); 0.8 = review.")


# ------------------------------------------------------------------------------------------------------------- CRM


class PipelineQuery(_Query):
    by: Literal["stage", "owner", "quarter"] = Field("stage", description="Group open deals by stage, owner or "
                                                                          "close quarter.")
    stage: Literal["prospecting", "qualification", "proposal", "negotiation"] | None = Field(
        None, description="Only deals in this open stage. Omit for every open stage.")
    customer: str | None = Field(None, max_length=200, description=_CUSTOMER + " Omit for every customer.",
                                 json_schema_extra=slot("party"))
    period: str | None = Field(None, max_length=40, description=_PERIOD + " Only deals expected to close in it, "
                               "e.g. \"this quarter\". Omit for every open deal.", json_schema_extra=slot("period"))


class DealsAtRiskQuery(_Query):
    customer: str | None = Field(None, max_length=200, description=_CUSTOMER + " Omit for every deal.",
                                 json_schema_extra=slot("party"))


class WonQuery(_Query):
    period: str | None = Field(None, max_length=40, description=_PERIOD + " Deals closed in it; default: this year.",
                               json_schema_extra=slot("period"))


class CustomerQuery(_Query):
    customer: str = Field(min_length=1, max_length=200, description=_CUSTOMER, json_schema_extra=slot("party"))
    period: str | None = Field(None, max_length=40, description=_PERIOD + " Only for business won in a period "
                                                                            "(\"won this year\"); default: all time.",
                               json_schema_extra=slot("period"))


class OpportunityUpdateDraft(_Query):
    """Propose a change to a deal; a person approves it before it applies."""

    deal: str = Field(min_length=1, max_length=200, description="The deal: its id (\"587\") or name "
                                                                "(\"Falcon - Fleet renewal\").",
                      json_schema_extra=slot("deal"))
    stage: Stage | None = Field(None, description="New sales stage.")
    amount: str | None = Field(None, pattern=r"^[0-9]+(\.[0-9]{1,2})?$", description="New deal value, e.g. "
                                                                                      "\"48000.00\".",
                               json_schema_extra=slot("amount"))
    close_date: str | None = Field(None, max_length=40, description="New expected close date. " + _DAY)
    probability: int | None = Field(None, ge=0, le=100, description="Win probability in percent.")


# -------------------------------------------------------------------------------------------------------------- HR


class PersonQuery(_Query):
    person: str = Field("me", min_length=1, max_length=160, description=_PERSON, json_schema_extra=slot("person"))


class LeaveBalanceQuery(_Query):
    person: str = Field("me", min_length=1, max_length=160, description=_PERSON, json_schema_extra=slot("person"))
    leave_type: LeaveType = Field("annual", description="Kind of leave.")


class LeaveRequestDraft(_Query):
    """Request leave for yourself; your manager approves it."""

    start_date: str = Field(min_length=1, max_length=40, description="First day off. " + _DAY,
                            json_schema_extra=slot("first_day"))
    end_date: str | None = Field(None, max_length=40, description="Last day off (inclusive); default: the first day.",
                                 json_schema_extra=slot("last_day"))
    leave_type: LeaveType = Field("annual", description="Kind of leave.")
    reason: str = Field("", max_length=500, description="Optional note for the approver.")


class HeadcountQuery(_Query):
    department: str | None = Field(None, max_length=80, description=_DEPARTMENT, json_schema_extra=slot("department"))
    period: str | None = Field(None, max_length=40, description="Headcount at the end of this period. " + _PERIOD
                               + " Default: this month.", json_schema_extra=slot("period"))


# ---------------------------------------------------------------------------------------------------- service desk


class TicketQuery(_Query):
    ticket: str | None = Field(None, max_length=40, description="Ticket number, e.g. \"TCK-000095\"; omit to list.",
                               json_schema_extra=slot("ticket"))
    customer: str | None = Field(None, max_length=200, description=_CUSTOMER + " Lists that customer's tickets.",
                                 json_schema_extra=slot("party"))
    status: Literal["open", "in_progress", "waiting", "resolved", "closed"] | None = Field(
        None, description="Only tickets in this status.")
    priority: Literal["urgent", "high", "medium", "low"] | None = Field(None, description="Only this priority.")


class SlaQuery(_Query):
    period: str | None = Field(None, max_length=40, description="Tickets opened in this period. " + _PERIOD
                               + " Default: this month.", json_schema_extra=slot("period"))


# ------------------------------------------------------------------------------------------------------- knowledge


class DocumentQuery(_Query):
    query: str = Field(min_length=1, max_length=500, json_schema_extra=slot("question"),
                       description="What to look for in company documents (policies, guides, contracts).")
    k: int = Field(4, ge=1, le=8, description="How many passages to return.",
                   json_schema_extra={"assistant_only": True})
    context: str | None = Field(None, max_length=500, description="The earlier question this one continues ('and "
                                "the accruals?' after a question about the close deadlines).",
                                json_schema_extra=slot("context"))


GraphQueryName = Literal["reporting_chain", "direct_reports", "approvers_for", "account_subtree", "account_360",
                         "owner_of", "owned_by", "documents_mentioning", "find_employee"]


class GraphQuery(_Query):
    query: GraphQueryName = Field(description=(
        "Which question: reporting_chain (managers above a person), direct_reports (who reports to a person), "
        "approvers_for (who approves a document type and amount), account_subtree (accounts under an account), "
        "account_360 (a customer's owner, deals and documents), owner_of (who owns a customer or vendor), "
        "owned_by (what a person owns), documents_mentioning (documents about a customer, vendor, person or "
        "account), find_employee (people matching a text)."))
    person: str | None = Field(None, max_length=160, description=_PERSON, json_schema_extra=slot("person"))
    customer: str | None = Field(None, max_length=200, description=_CUSTOMER, json_schema_extra=slot("party"))
    vendor: str | None = Field(None, max_length=200, description="Vendor name or code, e.g. \"the landlord\".",
                               json_schema_extra=slot("party"))
    account: str | None = Field(None, max_length=200, description="GL account name or code, e.g. \"opex\", \"6000\".",
                                json_schema_extra=slot("account"))
    document_type: Literal["journal_entry", "purchase_order", "leave_request", "opportunity_update"] | None = Field(
        None, description="For approvers_for: the kind of document.")
    amount: str | None = Field(None, pattern=r"^[0-9]+(\.[0-9]{1,2})?$", description="For approvers_for: the amount, "
                                                                                      "e.g. \"25000\".",
                               json_schema_extra=slot("amount"))
    text: str | None = Field(None, max_length=120, description="For find_employee: a name or part of one.")


# ----------------------------------------------------------------------------------------------------- procurement


class PurchaseLineDraft(_Query):
    description: str = Field(min_length=1, max_length=200, description="What is bought, e.g. \"27-inch monitors\".")
    account: str = Field("office supplies", min_length=1, max_length=200,
                         description="Expense account name or code, e.g. \"software\", \"6600\".")
    quantity: int = Field(1, ge=1, le=1_000_000, description="Units ordered.")
    unit_price: str = Field(pattern=r"^[0-9]+(\.[0-9]{1,2})?$", description="Price per unit, e.g. \"349.00\".")


class PurchaseOrderDraft(_Query):
    """Propose a purchase order; it is validated and waits for approval by amount."""

    vendor: str = Field(min_length=1, max_length=200, description="Vendor name or code, e.g. \"CloudScale\".",
                        json_schema_extra=slot("party"))
    description: str = Field(min_length=3, max_length=500, description="Why it is needed.")
    lines: list[PurchaseLineDraft] = Field(min_length=1, max_length=20, description="What to order.")
    department: str | None = Field(None, max_length=80, description="Department that needs it; default: your own.",
                                   json_schema_extra=slot("department"))
