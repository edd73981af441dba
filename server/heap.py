"""Keep the garbage collector's full passes short in a long-running server.

What start-up builds (imported modules, the app and its routes, the chat model wrapper, the tool router and its
embeddings) lives as long as the process, yet each full collection walks all of it again: with this app's ~220k
start-up objects that was a 120–230 ms stop of the event loop, several per second under load, stalling every open
stream at once (found with ``evals/benchmarks/bench_sse_load.py``). ``gc.freeze()`` moves what is alive at that
moment into a permanent generation the collector skips; cycles made later are still collected. Frozen objects that
later become cyclic garbage are never reclaimed, so this runs only after start-up and warm-ups, never per request.
"""

from __future__ import annotations

import gc
import logging
import threading

log = logging.getLogger("nexus.heap")
_lock = threading.Lock()


def freeze(after: str) -> int:
    """Collect, then freeze what survives; returns how many objects the full passes now skip."""
    with _lock:
        gc.collect()
        gc.freeze()
        frozen = gc.get_freeze_count()
    log.info("heap frozen after %s: %d objects left out of full collections", after, frozen)
    return frozen
