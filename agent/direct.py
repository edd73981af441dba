"""A plain streamed model answer with no tools: the walking skeleton's turn, and the agent's "answer directly" path."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

import prompts
from agent.events import Done, Event, Token
from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor


async def stream_answer(model: BaseChatModel, messages: list[BaseMessage], *,
                        thread_id: str) -> AsyncIterator[Event]:
    """Stream ``model``'s reply to ``messages`` as Token events, then Done with usage and latency."""
    started = time.perf_counter()
    usage = {"input_tokens": 0, "output_tokens": 0}
    first_token_ms: float | None = None
    async for chunk in model.astream(messages):
        text = chunk.content if isinstance(chunk.content, str) else ""
        if text:
            if first_token_ms is None:
                first_token_ms = (time.perf_counter() - started) * 1000
            yield Token(text=text)
        if chunk.usage_metadata:
            usage["input_tokens"] += chunk.usage_metadata.get("input_tokens", 0)
            usage["output_tokens"] += chunk.usage_metadata.get("output_tokens", 0)
    latency = (time.perf_counter() - started) * 1000
    yield Done(thread_id=thread_id, usage=usage, latency_ms=round(latency, 1),
               extra={"ttft_ms": round(first_token_ms, 1) if first_token_ms is not None else None})


def direct_messages(actor: Actor, message: str) -> list[BaseMessage]:
    """Static system prompt first (cached in the model's KV state across users); per-request parts after it."""
    return [SystemMessage(prompts.load("system")),
            HumanMessage(f"[user {actor.user_id}, tenant {actor.tenant}]\n{message}")]


class DirectTurns:
    """The turn service of the walking skeleton: the model answers directly, no tools."""

    def __init__(self, model: Callable[[], BaseChatModel]) -> None:
        self._model = model

    def run(self, actor: Actor, message: str, thread_id: str) -> AsyncIterator[Event]:
        return stream_answer(self._model(), direct_messages(actor, message), thread_id=thread_id)

    async def resume(self, actor: Actor, thread_id: str) -> AsyncIterator[Event]:
        """Plain answers keep no threads, so none waits for an approval."""
        raise NexusError(ErrorCode.INVALID_STATE, "this server's turns cannot be resumed")
        yield  # an async generator, like every turn: the error is raised on the first ``anext``
