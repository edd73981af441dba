"""Slot kinds: what kind of value an argument of a read or write command holds, declared on the schema's Field.

``Field(None, description=..., json_schema_extra=slot("period"))`` puts ``"slot": "period"`` into the argument's JSON
schema. The agent reads that one declaration to fill the argument from the user's words (grounding), to carry or edit
it in a follow-up ("and the quarter before?") and to ask for it when it is missing; the field's name carries no
meaning of its own.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic.config import JsonDict

SlotKind = Literal[
    "period",  # a date range as said: "last month", "Q3", "FY2025"
    "as_of",  # one day a balance is read at: "today", "end of October"
    "account",  # a GL account name, alias or code
    "department",  # a department name or code
    "party",  # a customer or vendor as named
    "person",  # an employee: "me", a name, a login
    "kpi",  # a KPI name
    "subject",  # what to forecast: a KPI or an account
    "entry",  # a journal entry id
    "ticket",  # a service desk ticket number
    "deal",  # a CRM opportunity id or name
    "first_day",  # the first day of a span ("from Monday ...")
    "last_day",  # its last day
    "text",  # free text taken from the request (a memo, a name to look for)
    "question",  # the user's question as said (a document search reads its wording: "how many days", "who")
    "context",  # an earlier question a follow-up continues: set by the dialogue, never by the model or the grounding
    "months",  # a count of months ahead
    "amount",  # a figure the user stated
    "grouping",  # how a result is split: by month, department or account
    "comparison",  # what a result is compared with: the previous period, the same period last year
    "count",  # how many rows to list
]
SLOT_KINDS: frozenset[str] = frozenset(get_args(SlotKind))


def slot(kind: SlotKind) -> JsonDict:
    """The ``json_schema_extra`` that declares a field's slot kind."""
    return {"slot": kind}
