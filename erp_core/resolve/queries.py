"""Read-side commands in the words people use; they double as the tools' argument schemas."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from erp_core.resolve.slots import slot

_PERIOD = "Period as said: \"last month\", \"Q3\", \"FY2025\", \"YTD\", \"October\", \"2026-10\"."
_AS_OF = "Date as said: \"today\", \"end of last month\", \"2026-09-30\"."


class _Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AsOfQuery(_Query):
    as_of: str | None = Field(None, max_length=40, description=_AS_OF, json_schema_extra=slot("as_of"))


class PeriodQuery(_Query):
    period: str | None = Field(None, max_length=40, description=_PERIOD, json_schema_extra=slot("period"))


class AccountQuery(_Query):
    account: str = Field(min_length=1, max_length=200, description="Account name or code, e.g. \"travel\", \"6200\".",
                         json_schema_extra=slot("account"))
    as_of: str | None = Field(None, max_length=40, description=_AS_OF, json_schema_extra=slot("as_of"))


class AccountPeriodQuery(_Query):
    account: str = Field(min_length=1, max_length=200, description="Account name or code, e.g. \"rent\", \"6100\".",
                         json_schema_extra=slot("account"))
    period: str | None = Field(None, max_length=40, description=_PERIOD, json_schema_extra=slot("period"))


class EntryRef(_Query):
    entry_id: str = Field(min_length=1, max_length=64, description="Journal entry id.",
                          json_schema_extra=slot("entry"))


class ReverseEntry(_Query):
    entry_id: str = Field(min_length=1, max_length=64, description="Id of the posted journal entry to reverse.",
                          json_schema_extra=slot("entry"))
    date: str | None = Field(None, max_length=40, description="Date of the reversal; default: the original date.",
                            json_schema_extra=slot("as_of"))


class PartyQuery(_Query):
    name: str | None = Field(None, max_length=200, description="Customer or vendor name; omit for all.",
                             json_schema_extra=slot("party"))
    as_of: str | None = Field(None, max_length=40, description=_AS_OF, json_schema_extra=slot("as_of"))


class NoArgs(_Query):
    pass


_DEPARTMENT = "Department name or code, e.g. \"engineering\", \"ENG\"; omit for the whole company."
Grouping = Literal["month", "department", "account"]
RankingKind = Literal["expense_accounts", "customers_by_revenue", "customers_by_balance", "vendors_by_spend",
                      "vendors_by_balance", "payments", "entries"]
ComparisonKind = Literal["previous_period", "previous_year", "budget"]
Pick = Literal["highest", "lowest"]


class BreakdownQuery(_Query):
    by: Grouping = Field(description="Split by month, department or account.", json_schema_extra=slot("grouping"))
    period: str | None = Field(None, max_length=40, description=_PERIOD + " Default: this year.",
                               json_schema_extra=slot("period"))
    account: str | None = Field(None, max_length=200, description="One account (name or code) instead of the whole "
                                "P&L, e.g. \"travel\".", json_schema_extra=slot("account"))
    department: str | None = Field(None, max_length=80, description=_DEPARTMENT, json_schema_extra=slot("department"))
    pick: Pick | None = Field(None, description="Only the highest or the lowest row, when asked which one it was "
                              "(\"which month was the best?\").")


class RankingQuery(_Query):
    what: RankingKind = Field(description=(
        "What to rank: expense_accounts (largest costs), customers_by_revenue, customers_by_balance (who owes most), "
        "vendors_by_spend, vendors_by_balance (whom we owe most), payments (largest paid out), entries (largest "
        "postings to an account)."), json_schema_extra=slot("grouping"))
    period: str | None = Field(None, max_length=40, description=_PERIOD + " Default: this year.",
                               json_schema_extra=slot("period"))
    account: str | None = Field(None, max_length=200, description="For entries: the account, e.g. \"travel\".",
                                json_schema_extra=slot("account"))
    department: str | None = Field(None, max_length=80, description=_DEPARTMENT, json_schema_extra=slot("department"))
    limit: int = Field(5, ge=1, le=50, description="How many to list.", json_schema_extra=slot("count"))


class ComparisonQuery(_Query):
    # "budget" is reached by a follow-up ("compare with budget" after one account's spend); a fresh budget question
    # belongs to budget_vs_actual, so the description the model reads offers only the two periods.
    against: ComparisonKind = Field("previous_period", description="Compare with the period just before or with the "
                                    "same period a year earlier.", json_schema_extra=slot("comparison"))
    period: str | None = Field(None, max_length=40, description=_PERIOD + " Default: last month.",
                               json_schema_extra=slot("period"))
    account: str | None = Field(None, max_length=200, description="One account (name or code) instead of the whole "
                                "P&L, e.g. \"travel\".", json_schema_extra=slot("account"))
    department: str | None = Field(None, max_length=80, description=_DEPARTMENT, json_schema_extra=slot("department"))
