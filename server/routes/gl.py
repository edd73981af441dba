"""General-ledger HTTP API: accounts, periods, journal entries, balances and reports.

Amounts travel as decimal strings. Domain errors are NexusErrors mapped in ``server.errors`` (422 validation with
issues, 403 role, 404 unknown or other tenant's id, 409 state or idempotency conflict).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from erp_core import ledger, reports
from erp_core.ledger.batch import MAX_BATCH_ENTRIES, submit_journal_batch
from erp_core.ledger.commands import CreateAccount, PeriodRef, PostJournalEntry, ReverseJournalEntry
from server.deps import ActorDep, ContainerDep

router = APIRouter(prefix="/v1/gl", tags=["general ledger"])

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "The caller's roles do not allow this"},
    404: {"description": "Unknown id, or another tenant's"},
    409: {"description": "State or idempotency conflict, or closed period"},
    422: {"description": "Validation failed; `error.issues` lists every problem"},
}
Dimension = Annotated[str | None, Query(max_length=64)]
Period = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="A month, YYYY-MM")]
GroupBy = Literal["department", "cost_center", "project"]


class JournalBatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[PostJournalEntry] = Field(min_length=1, max_length=MAX_BATCH_ENTRIES,
                                            description="Up to 5,000 entries, each shaped like one "
                                                        "POST /v1/gl/journal-entries body.")


class ReversalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = Field(None, description="Date of the reversal; default: the original's date.")
    memo: str | None = Field(None, max_length=500, description="Default: \"Reversal of: <memo>\".")
    idempotency_key: str = Field(max_length=256, description="Unique per tenant.")


def _scorer(container: Any) -> Any:
    return container.anomaly_scorer


def _dims(department: str | None, cost_center: str | None, project: str | None) -> dict[str, str | None]:
    return {"department": department, "cost_center": cost_center, "project": project}


@router.post("/accounts", status_code=201, responses=ERRORS, summary="Create an account (admin, controller)")
def create_account(body: CreateAccount, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        account = ledger.create_account(body, actor, session)
        return ledger.account_views([account])[0] | {"parent_code": body.parent_code}


@router.get("/accounts", responses=ERRORS, summary="The chart of accounts")
def list_accounts(actor: ActorDep, container: ContainerDep) -> list[dict[str, Any]]:
    with container.db.read() as session:
        return ledger.account_views(ledger.list_accounts(actor, session))


@router.post("/periods", status_code=201, responses={**ERRORS, 200: {"description": "The period already existed"}},
             summary="Open a monthly period (idempotent)")
def open_period(body: PeriodRef, actor: ActorDep, container: ContainerDep, response: Response) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        period, created = ledger.open_period(body, actor, session)
        if not created:
            response.status_code = 200
        return ledger.period_view(period)


@router.get("/periods", responses=ERRORS, summary="All periods with their status")
def list_periods(actor: ActorDep, container: ContainerDep) -> list[dict[str, Any]]:
    with container.db.read() as session:
        return [ledger.period_view(p) for p in ledger.list_periods(actor, session)]


@router.post("/periods/{year}/{month}/close", responses=ERRORS, summary="Close a period (controller, cfo)")
def close_period(year: int, month: int, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        return ledger.period_view(ledger.close_period(PeriodRef(year=year, month=month), actor, session))


@router.post("/periods/{year}/{month}/reopen", responses=ERRORS, summary="Reopen a closed period (controller)")
def reopen_period(year: int, month: int, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        return ledger.period_view(ledger.reopen_period(PeriodRef(year=year, month=month), actor, session))


@router.post("/journal-entries", status_code=201,
             responses={**ERRORS, 200: {"description": "Replay of an earlier request with the same key and payload"}},
             summary="Propose a journal entry: posts at once or waits for approval, per policy")
def submit_journal_entry(body: PostJournalEntry, actor: ActorDep, container: ContainerDep,
                         response: Response) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(body, actor, session, scorer=_scorer(container))
        if not result.created:
            response.status_code = 200
        return ledger.entry_view(result.entry, session)


@router.post("/journal-entries/batch", responses=ERRORS,
             summary="Propose up to 5,000 journal entries at once: all validated first (422 lists every issue, "
                     "nothing stored), then each posted or left for approval per policy")
def submit_journal_batch_route(body: JournalBatchBody, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    with container.db.unit_of_work() as session:
        items = submit_journal_batch(body.entries, actor, session, scorer=_scorer(container))
        return {"results": [item.view() for item in items]}


@router.get("/journal-entries/{entry_id}", responses=ERRORS, summary="One journal entry")
def get_journal_entry(entry_id: str, actor: ActorDep, container: ContainerDep) -> dict[str, Any]:
    with container.db.read() as session:
        return ledger.entry_view(ledger.get_journal_entry(entry_id, actor, session), session)


@router.post("/journal-entries/{entry_id}/reverse", status_code=201, responses=ERRORS,
             summary="Propose the reversal of a posted entry")
def reverse_journal_entry(entry_id: str, body: ReversalBody, actor: ActorDep, container: ContainerDep,
                          response: Response) -> dict[str, Any]:
    cmd = ReverseJournalEntry(entry_id=entry_id, date=body.date, memo=body.memo, idempotency_key=body.idempotency_key)
    with container.db.unit_of_work() as session:
        result = ledger.reverse_journal_entry(cmd, actor, session, scorer=_scorer(container))
        if not result.created:
            response.status_code = 200
        return ledger.entry_view(result.entry, session)


@router.get("/trial-balance", responses=ERRORS, summary="Trial balance as of a date, over a period, by dimension")
def trial_balance(actor: ActorDep, container: ContainerDep, as_of: dt.date | None = None,
                  date_from: dt.date | None = None, period: Period = None,
                  department: Dimension = None, cost_center: Dimension = None, project: Dimension = None,
                  group_by: GroupBy | None = None) -> dict[str, Any]:
    flt = reports.make_filter(as_of=as_of, date_from=date_from, period=period,
                              dimensions=_dims(department, cost_center, project))
    with container.db.read() as session:
        return reports.trial_balance(actor, session, flt, group_by=group_by)


@router.get("/accounts/{code}/balance", responses=ERRORS, summary="Balance of one account (headers sum subtree)")
def account_balance(code: str, actor: ActorDep, container: ContainerDep, as_of: dt.date | None = None,
                    department: Dimension = None, cost_center: Dimension = None,
                    project: Dimension = None) -> dict[str, Any]:
    flt = reports.make_filter(as_of=as_of, dimensions=_dims(department, cost_center, project))
    with container.db.read() as session:
        return reports.account_balance(code, actor, session, flt)


@router.get("/accounts/{code}/ledger", responses=ERRORS, summary="Account ledger with running balance")
def account_ledger(code: str, actor: ActorDep, container: ContainerDep, as_of: dt.date | None = None,
                   date_from: dt.date | None = None,
                   period: Period = None,
                   department: Dimension = None, cost_center: Dimension = None, project: Dimension = None,
                   limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> dict[str, Any]:
    flt = reports.make_filter(as_of=as_of, date_from=date_from, period=period,
                              dimensions=_dims(department, cost_center, project))
    with container.db.read() as session:
        return reports.account_ledger(code, actor, session, flt, limit=limit)


@router.get("/income-statement", responses=ERRORS, summary="Revenue, expenses and net income over a range")
def income_statement(actor: ActorDep, container: ContainerDep, as_of: dt.date | None = None,
                     date_from: dt.date | None = None,
                     period: Period = None,
                     department: Dimension = None, cost_center: Dimension = None,
                     project: Dimension = None) -> dict[str, Any]:
    flt = reports.make_filter(as_of=as_of, date_from=date_from, period=period,
                              dimensions=_dims(department, cost_center, project))
    with container.db.read() as session:
        return reports.income_statement(actor, session, flt)


@router.get("/balance-sheet", responses=ERRORS, summary="Assets, liabilities and equity as of a date")
def balance_sheet(actor: ActorDep, container: ContainerDep, as_of: dt.date | None = None) -> dict[str, Any]:
    with container.db.read() as session:
        return reports.balance_sheet(actor, session, as_of or dt.date.today())
