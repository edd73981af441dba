"""The llama.cpp engine's own process: ``python -m agent.backends.engine_worker FD CONFIG_JSON``.

A native fault in llama.cpp (SIGILL from a kernel the CPU cannot run, SIGSEGV, an out-of-memory kill) ends this
process only; the server that started it (``agent.backends.engine_process``) sees the pipe close, fails the turn in
flight with a retryable error and starts a new one.

The protocol over the socket FD is pickled tuples (``multiprocessing.connection``):

    child → parent  ("ready", {"load_s", "probe_s", "probe_tokens"}) | ("failed", code, message)   once, at start
    parent → child  ("stream", kwargs) | ("count", messages)
    child → parent  ("piece", text)* then ("end", finish_reason, usage) | ("error", code, message)
                    (a piece holds the tokens decoded since the last one: see ``_serve_stream``)
                    ("count", n)
    parent → child  ("cancel",) at any time during a stream: the generation stops at its next token.

Before reporting ready the worker decodes a few tokens for real, so a runtime that cannot run on this CPU fails at
start and not at a user's first question.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from multiprocessing.connection import Connection
from typing import Any

# A system and a user turn, like every agent prompt: a chat template that cannot render them fails here.
PROBE = [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Say OK."}]
PROBE_TOKENS = 4


def _error(exc: BaseException) -> tuple[str, str, str]:
    from erp_core.errors import NexusError

    if isinstance(exc, NexusError):
        return ("error", exc.code.value, exc.message)
    return ("error", "backend_failed", f"{type(exc).__name__}: {exc}")


def _serve_stream(conn: Connection, engine: Any, kwargs: dict[str, Any], interval_s: float) -> None:
    cancel = {"set": False}

    def cancelled() -> bool:
        # A cancel (or a closed pipe) may arrive between any two tokens; poll without blocking.
        if not cancel["set"] and conn.poll():
            message = conn.recv()
            cancel["set"] = message[0] == "cancel"
        return cancel["set"]

    # With ``interval_s`` > 0 the first piece goes at once (time to first token) and later ones together, one
    # message per interval: every message wakes the server (a thread, its event loop, an SSE frame), which matters
    # where tokens come faster than the server wakes. 0 (the default) sends each token alone.
    pending: list[str] = []
    last_sent: float | None = None
    try:
        for piece in engine.stream(cancelled=cancelled, **kwargs):
            if piece.text:
                pending.append(piece.text)
            if piece.finish_reason is not None:
                if pending:
                    conn.send(("piece", "".join(pending)))
                conn.send(("end", piece.finish_reason, asdict(piece.usage) if piece.usage else None))
                return
            now = time.perf_counter()
            if pending and (last_sent is None or now - last_sent >= interval_s):
                conn.send(("piece", "".join(pending)))
                pending.clear()
                last_sent = now
    except Exception as exc:  # every failure goes back to the caller as a typed error; the process stays up
        conn.send(_error(exc))


def main(fd: int, config: dict[str, Any]) -> int:
    conn = Connection(fd)
    try:
        from agent.backends.llama_engine import LlamaEngine

        started = time.perf_counter()
        engine = LlamaEngine(config.get("model_path"), n_ctx=config["n_ctx"], n_threads=config["n_threads"],
                             n_batch=config["n_batch"])
        loaded = time.perf_counter()
        pieces = list(engine.stream(PROBE, max_tokens=PROBE_TOKENS))
        probe_tokens = pieces[-1].usage.completion_tokens if pieces and pieces[-1].usage else 0
    except Exception as exc:  # a model the engine cannot load or drive: reported, not raised
        _, code, message = _error(exc)
        conn.send(("failed", code, message))
        return 1
    conn.send(("ready", {"load_s": loaded - started, "probe_s": time.perf_counter() - loaded,
                         "probe_tokens": probe_tokens, "model_path": str(engine.model_path)}))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return 0  # the server closed the pipe: stop
        if request[0] == "stream":
            _serve_stream(conn, engine, request[1], config.get("stream_interval_s", 0.0))
        elif request[0] == "count":
            try:
                conn.send(("count", engine.count_tokens(request[1])))
            except Exception as exc:  # reported to the caller
                conn.send(_error(exc))
        # a late "cancel" for a stream that already ended is ignored


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), json.loads(sys.argv[2])))
