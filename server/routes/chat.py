"""``POST /v1/chat``: one conversational turn, streamed as server-sent events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from agent.events import Event
from erp_core.errors import Issue, validation_error
from server.deps import ContainerDep
from server.permissions import ChatActor
from server.sse import EventStream, guarded, sse_response

router = APIRouter(tags=["chat"])


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, description="What the user asks or asks for.")
    thread_id: str | None = Field(None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
                                  description="Continue this conversation; omitted: a new thread is started.")


@router.post(
    "/v1/chat",
    summary="One conversational turn, streamed (SSE)",
    response_class=EventStream,
    responses={200: {"content": {"text/event-stream": {}},
                     "description": "Events: token, tool_call, tool_result, citation, approval_required, error, done"},
               503: {"description": "The model is not loaded yet"}},
)
async def chat(body: ChatRequest, actor: ChatActor, container: ContainerDep) -> EventStream:
    if len(body.message) > container.settings.max_message_chars:
        raise validation_error([Issue("too_long", f"message is longer than {container.settings.max_message_chars} "
                                                  "characters", "message")])
    container.models.get()  # 503 before the stream starts when the model is not ready
    thread_id = body.thread_id or uuid.uuid4().hex
    events = container.turns.run(actor, body.message, thread_id)
    return sse_response(guarded(events, thread_id))


@router.post(
    "/v1/chat/threads/{thread_id}/resume",
    summary="Continue a thread after its approval was approved or rejected (SSE)",
    response_class=EventStream,
    responses={200: {"content": {"text/event-stream": {}}}, 404: {"description": "Unknown thread"},
               409: {"description": "The thread is not waiting for a decided approval"}},
)
async def resume(thread_id: str, actor: ChatActor, container: ContainerDep) -> EventStream:
    container.models.get()
    events = container.turns.resume(actor, thread_id)
    first = await anext(events)  # raise NOT_FOUND / INVALID_STATE as HTTP errors before the stream starts
    return sse_response(guarded(_prepend(first, events), thread_id))


async def _prepend(first: Event, rest: AsyncIterator[Event]) -> AsyncIterator[Event]:
    yield first
    async for event in rest:
        yield event
