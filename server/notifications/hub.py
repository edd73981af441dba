"""In-process fan-out of live events to the open widget event streams (``GET /v1/events``), one queue per stream.

Publishing is thread-safe (the notification worker runs in a thread): each event is handed to the subscriber's own
event loop. A stream that is not open misses nothing durable: it reads the current state from the database when it
connects, and the hub only carries changes while it is open.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

MAX_QUEUED = 100


@dataclass(eq=False)
class Subscription:
    tenant: str
    user_id: str
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(MAX_QUEUED))

    def offer(self, event: dict[str, Any]) -> None:
        if self.queue.full():  # a stalled client: drop the oldest change, the next one carries the current state
            self.queue.get_nowait()
        self.queue.put_nowait(event)


class EventHub:
    def __init__(self) -> None:
        self._subs: dict[tuple[str, str], set[Subscription]] = {}
        self._lock = threading.Lock()

    def subscribe(self, tenant: str, user_id: str) -> Subscription:
        sub = Subscription(tenant, user_id, asyncio.get_running_loop())
        with self._lock:
            self._subs.setdefault((tenant, user_id), set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subs.get((sub.tenant, sub.user_id))
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[(sub.tenant, sub.user_id)]

    def listeners(self, tenant: str, user_id: str) -> int:
        with self._lock:
            return len(self._subs.get((tenant, user_id), ()))

    def publish(self, tenant: str, user_id: str, event: dict[str, Any]) -> int:
        """Send ``event`` ({"event": name, "data": {...}}) to every open stream of the user; returns how many."""
        with self._lock:
            subs = list(self._subs.get((tenant, user_id), ()))
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(sub.offer, event)
            except RuntimeError:  # that stream's loop has closed; it unsubscribes itself on the way out
                continue
        return len(subs)
