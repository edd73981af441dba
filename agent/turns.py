"""The interface the server streams turns from; the direct answerer and the LangGraph agent both provide it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from agent.events import Event
from erp_core.identity import Actor


class TurnService(Protocol):
    def run(self, actor: Actor, message: str, thread_id: str) -> AsyncIterator[Event]:
        """Stream one turn of ``thread_id``: tokens and tool activity, always ending with a Done event."""
        ...

    def resume(self, actor: Actor, thread_id: str) -> AsyncIterator[Event]:
        """Continue ``thread_id`` after its approval was decided; NOT_FOUND or INVALID_STATE (raised on the first
        ``anext``) when there is no such thread of the actor's or it waits for nothing."""
        ...
