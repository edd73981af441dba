"""``POST /v1/chat``: one conversational turn, streamed as server-sent events."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sse_starlette.sse import EventSourceResponse

from erp_core.errors import Issue, validation_error
from server.deps import ActorDep, ContainerDep
from server.sse import guarded, sse_response

router = APIRouter(tags=["chat"])


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, description="What the user asks or asks for.")
    thread_id: str | None = Field(None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
                                  description="Continue this conversation; omitted: a new thread is started.")


@router.post(
    "/v1/chat",
    summary="One conversational turn, streamed (SSE)",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}},
                     "description": "Events: token, tool_call, tool_result, citation, approval_required, error, done"},
               503: {"description": "The model is not loaded yet"}},
)
async def chat(body: ChatRequest, actor: ActorDep, container: ContainerDep, request: Request) -> EventSourceResponse:
    if len(body.message) > container.settings.max_message_chars:
        raise validation_error([Issue("too_long", f"message is longer than {container.settings.max_message_chars} "
                                                  "characters", "message")])
    container.models.get()  # 503 before the stream starts when the model is not ready
    thread_id = body.thread_id or uuid.uuid4().hex
    events = container.turns.run(actor, body.message, thread_id)
    return sse_response(guarded(events, thread_id))
