"""``POST /v1/feedback`` (thumbs up/down on an answer) and ``GET /v1/feedback/{thread_id}``: the thread's owner only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from erp_core.identity import Actor
from server import feedback
from server.deps import ContainerDep
from server.interface_db import ensure_tables
from server.permissions import FeedbackActor

if TYPE_CHECKING:
    from server.bootstrap import Container

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])

ThreadId = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
ERRORS: dict[int | str, dict[str, Any]] = {403: {"description": "The caller's roles do not include feedback"},
                                           404: {"description": "Unknown thread, or someone else's"}}


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    thread_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
                           description="The conversation the rated answer belongs to.")
    rating: Literal["up", "down"] = Field(description="Thumbs up or down.")
    message_id: str | None = Field(None, max_length=128, description="Which answer in the thread (client's id).")
    comment: str | None = Field(None, max_length=2000, description="Optional words from the user.")


async def _require_owner(container: Container, actor: Actor, thread_id: str) -> None:
    # A turn service that keeps no threads owns none: nothing to rate (404, like an unknown thread).
    feedback.check_owner(actor, thread_id, await container.turns.thread_owner(actor, thread_id))


@router.post("", status_code=201, responses=ERRORS, summary="Rate an answer of my thread (stored with it)")
async def give_feedback(body: FeedbackBody, actor: FeedbackActor, container: ContainerDep) -> dict[str, Any]:
    await _require_owner(container, actor, body.thread_id)

    def store() -> dict[str, Any]:
        ensure_tables(container.db)
        with container.db.unit_of_work() as session:
            return feedback.record(session, actor, body.thread_id, body.rating, message_id=body.message_id,
                                   comment=body.comment)

    return await run_in_threadpool(store)


@router.get("/{thread_id}", responses=ERRORS, summary="Feedback I gave on my thread")
async def thread_feedback(thread_id: Annotated[str, Path(min_length=1, max_length=128,
                                                         pattern=r"^[A-Za-z0-9_.:-]+$")],
                          actor: FeedbackActor, container: ContainerDep) -> list[dict[str, Any]]:
    await _require_owner(container, actor, thread_id)

    def read() -> list[dict[str, Any]]:
        ensure_tables(container.db)
        with container.db.read() as session:
            return feedback.for_thread(session, actor, thread_id)

    return await run_in_threadpool(read)
