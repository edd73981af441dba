"""Read-side commands in the words people use; they double as the tools' argument schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

_PERIOD = "Period as said: \"last month\", \"Q3\", \"FY2025\", \"YTD\", \"October\", \"2026-10\"."
_AS_OF = "Date as said: \"today\", \"end of last month\", \"2026-09-30\"."


class _Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AsOfQuery(_Query):
    as_of: str | None = Field(None, max_length=40, description=_AS_OF)


class PeriodQuery(_Query):
    period: str | None = Field(None, max_length=40, description=_PERIOD)


class AccountQuery(_Query):
    account: str = Field(min_length=1, max_length=200, description="Account name or code, e.g. \"travel\", \"6200\".")
    as_of: str | None = Field(None, max_length=40, description=_AS_OF)


class AccountPeriodQuery(_Query):
    account: str = Field(min_length=1, max_length=200, description="Account name or code, e.g. \"rent\", \"6100\".")
    period: str | None = Field(None, max_length=40, description=_PERIOD)


class EntryRef(_Query):
    entry_id: str = Field(min_length=1, max_length=64, description="Journal entry id.")


class ReverseEntry(_Query):
    entry_id: str = Field(min_length=1, max_length=64, description="Id of the posted journal entry to reverse.")
    date: str | None = Field(None, max_length=40, description="Date of the reversal; default: the original date.")


class PartyQuery(_Query):
    name: str | None = Field(None, max_length=200, description="Customer or vendor name; omit for all.")
    as_of: str | None = Field(None, max_length=40, description=_AS_OF)


class NoArgs(_Query):
    pass
