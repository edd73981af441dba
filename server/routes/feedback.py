"""``POST /v1/feedback`` (thumbs up/down on an answer) and ``GET /v1/feedback/{thread_id}``."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from server import feedback
from server.deps import ContainerDep
from server.interface_db import ensure_tables
from server.permissions import FeedbackActor

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])

ThreadId = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
ERRORS: dict[int | str, dict[str, Any]] = {403: {"description": "The caller's roles do not include feedback"},
                                           404: {"description": "Unknown thread, or another tenant's"}}


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    thread_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
                           description="The conversation the rated answer belongs to.")
    rating: Literal["up", "down"] = Field(description="Thumbs up or down.")
    message_id: str | None = Field(None, max_length=128, description="Which answer in the thread (client's id).")
    comment: str | None = Field(None, max_length=2000, description="Optional words from the user.")


@router.post("", status_code=201, responses=ERRORS, summary="Rate an answer (stored with its thread)")
def give_feedback(body: FeedbackBody, actor: FeedbackActor, container: ContainerDep) -> dict[str, Any]:
    ensure_tables(container.db)
    with container.db.unit_of_work() as session:
        return feedback.record(session, actor, body.thread_id, body.rating, message_id=body.message_id,
                               comment=body.comment)


@router.get("/{thread_id}", responses=ERRORS, summary="Feedback given on a thread")
def thread_feedback(thread_id: str, actor: FeedbackActor, container: ContainerDep) -> list[dict[str, Any]]:
    ensure_tables(container.db)
    with container.db.read() as session:
        return feedback.for_thread(session, actor, thread_id)
