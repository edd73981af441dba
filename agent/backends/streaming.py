"""Bridge a blocking token iterator (llama.cpp on a worker thread) into an async iterator that can be cancelled.

If the consumer goes away (client disconnected, task cancelled), the worker is told to stop at the next token, so the
model is never held by a stream nobody reads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


async def iterate_in_thread(produce: Callable[[Callable[[], bool]], Iterator[T]]) -> AsyncIterator[T]:
    """Run ``produce(cancelled)`` on a thread and yield its items; ``cancelled()`` turns true when we stop reading."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def worker() -> None:
        try:
            for item in produce(stop.is_set):
                loop.call_soon_threadsafe(queue.put_nowait, item)
                if stop.is_set():
                    break
        except BaseException as exc:
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _END)

    thread = threading.Thread(target=worker, name="llama-stream", daemon=True)
    thread.start()
    try:
        while True:
            item = await queue.get()
            if item is _END:
                break
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
