"""The default llama.cpp engine in a supervised child process (``agent.backends.engine_worker``).

llama.cpp is native code: an illegal instruction, a segmentation fault or an out-of-memory kill in it would take the
whole server down with it — the GL and approvals API, the widget, every other user's stream. Here it can only end
its own process. The turn in flight gets a retryable ``backend_unavailable`` error, the supervisor restarts the
process with back-off, ``/readyz`` says the model is down meanwhile, and everything that does not need the model
keeps answering.

The child is spawned from the supervisor's own thread and started through ``retrieval.servers.launch``
(``PR_SET_PDEATHSIG``), so it also ends when the server is killed outright.

It gets ``OMP_WAIT_POLICY=PASSIVE`` unless the operator set one: llama.cpp's OpenMP threads otherwise spin while they
wait, and with the two cores shared (a second request, the embedder, another process) spinning threads that wait on
each other decoded 5-10 times slower; on an idle machine passive waits cost about 40% of decode speed
(evals/benchmarks/bench_llama_builds.py; README, "Model runtime").
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from agent.backends.llama_engine import Piece, Usage, default_model_path
from erp_core.errors import ErrorCode, NexusError
from retrieval.servers.supervisor import Supervised, describe_exit, supervised_argv, terminate

log = logging.getLogger("nexus.model")

REBUILD_HINT = ("Rebuild the runtime for a portable CPU baseline: `rm -f .venv/.runtime-installed && make install` "
                "(scripts/install-llama-runtime.sh; a wheel built with -march=native elsewhere must not be reused)")


@dataclass(frozen=True, slots=True)
class EngineConfig:
    model_path: Path | None = None
    n_ctx: int = 8192
    n_threads: int = 2
    n_batch: int = 512
    start_timeout_s: float = 120.0
    # Tokens decoded within this long after a piece go to the server together. Off by default: on 2 CPUs at ~35
    # tokens/s every token is its own message anyway, and 20 ms frames measured no faster (bench_serving.py).
    stream_interval_s: float = 0.0

    def as_json(self, model_path: Path) -> str:
        return json.dumps({"model_path": str(model_path), "n_ctx": self.n_ctx, "n_threads": self.n_threads,
                           "n_batch": self.n_batch, "stream_interval_s": self.stream_interval_s})


class _Worker:
    """One running engine process and its end of the socket pair."""

    def __init__(self, process: subprocess.Popen[bytes], conn: Connection, info: dict[str, Any]) -> None:
        self.process = process
        self.conn = conn
        self.info = info

    def wait(self) -> int | None:
        return self.process.wait()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()  # the worker's recv() sees EOF and returns
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            terminate(self.process.pid, timeout_s=5)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=1)


def _spawn(config: EngineConfig, model_path: Path) -> _Worker:
    """Start a worker and wait for its start-up decode. Raises BACKEND_UNAVAILABLE naming the cause and the fix."""
    ours, theirs = socket.socketpair()
    argv, extra = supervised_argv(
        [sys.executable, "-m", "agent.backends.engine_worker", str(theirs.fileno()), config.as_json(model_path)])
    env = {**os.environ, **extra}
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        process = subprocess.Popen(argv, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env)
    finally:
        theirs.close()
    conn = Connection(ours.detach())
    try:
        if not conn.poll(config.start_timeout_s):
            raise NexusError(ErrorCode.BACKEND_UNAVAILABLE,
                             f"the model process did not finish loading in {config.start_timeout_s:.0f} s")
        message = conn.recv()
    except (EOFError, OSError):
        code = process.wait()
        conn.close()
        raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, _crash_message(code, "during its start-up decode")) from None
    except NexusError:
        conn.close()
        terminate(process.pid, timeout_s=5)
        raise
    if message[0] == "failed":
        conn.close()
        process.wait()
        raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, f"the model cannot run: {message[2]}")
    info = dict(message[1])
    log.info("model process %d ready: load %.2f s, start-up decode of %d tokens %.2f s", process.pid,
             info["load_s"], info["probe_tokens"], info["probe_s"])
    return _Worker(process, conn, info)


def _crash_message(returncode: int | None, when: str) -> str:
    cause = describe_exit(returncode)
    message = f"the llama.cpp runtime {when}: {cause}."
    if returncode is not None and returncode < 0 and "SIGILL" in cause:
        message += f" {REBUILD_HINT}."
    return message


def check_runtime(config: EngineConfig) -> dict[str, Any]:
    """Start an engine process, decode a few tokens, stop it. For ``nexus serve``'s pre-flight check."""
    worker = _spawn(config, Path(config.model_path) if config.model_path else default_model_path())
    try:
        return worker.info
    finally:
        worker.stop()


class EngineProcess:
    """The engine interface of ``LlamaEngine`` (``stream``, ``count_tokens``, ``model_path``), served by a child."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.model_path = Path(config.model_path) if config.model_path else default_model_path()
        self._lock = threading.Lock()  # llama.cpp is single-stream: one generation at a time, as in-process
        self._supervisor: Supervised[_Worker] = Supervised("model", lambda: _spawn(config, self.model_path))

    def start(self) -> EngineProcess:
        self._supervisor.start(timeout_s=self.config.start_timeout_s + 10)
        return self

    def close(self) -> None:
        self._supervisor.stop()

    def status(self) -> dict[str, object]:
        return self._supervisor.status()

    @property
    def pid(self) -> int | None:
        worker = self._supervisor.current
        return worker.process.pid if worker else None

    def _worker(self) -> _Worker:
        worker = self._supervisor.current
        if worker is None:
            reason = self._supervisor.reason or "starting"
            raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, f"the model process is restarting ({reason}); "
                                                            "try again in a few seconds")
        return worker

    def _lost(self, worker: _Worker) -> NexusError:
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(timeout=2)
        return NexusError(ErrorCode.BACKEND_UNAVAILABLE,
                          _crash_message(worker.process.poll(), "stopped in the middle of a reply") +
                          " It is restarting; try again in a few seconds.")

    def stream(self, messages: Sequence[dict[str, Any]], *, max_tokens: int = 512, temperature: float = 0.0,
               json_schema: dict[str, Any] | None = None, stop: list[str] | None = None,
               cancelled: Callable[[], bool] = lambda: False) -> Iterator[Piece]:
        request = {"messages": list(messages), "max_tokens": max_tokens, "temperature": temperature,
                   "json_schema": json_schema, "stop": stop}
        with self._lock:
            worker = self._worker()
            try:
                worker.conn.send(("stream", request))
            except OSError:
                raise self._lost(worker) from None
            ended = cancel_sent = False
            try:
                while True:
                    try:
                        message = worker.conn.recv()
                    except (EOFError, OSError):
                        ended = True
                        raise self._lost(worker) from None
                    if message[0] == "piece":
                        yield Piece(text=message[1])
                        if not cancel_sent and cancelled():
                            worker.conn.send(("cancel",))
                            cancel_sent = True
                        continue
                    ended = True
                    if message[0] == "error":
                        raise NexusError(ErrorCode(message[1]), message[2])
                    usage = Usage(**message[2]) if message[2] else None
                    yield Piece(text="", finish_reason=message[1], usage=usage)
                    return
            finally:
                if not ended:  # the reader left early: stop the generation and keep the protocol in step
                    self._drain(worker, cancel_sent)

    @staticmethod
    def _drain(worker: _Worker, cancel_sent: bool) -> None:
        try:
            if not cancel_sent:
                worker.conn.send(("cancel",))
            while worker.conn.recv()[0] == "piece":
                pass
        except (EOFError, OSError):
            pass  # the worker died; the supervisor restarts it

    def count_tokens(self, messages: Sequence[dict[str, Any]]) -> int:
        with self._lock:
            worker = self._worker()
            try:
                worker.conn.send(("count", list(messages)))
                reply = worker.conn.recv()
            except (EOFError, OSError):
                raise self._lost(worker) from None
        if reply[0] == "error":
            raise NexusError(ErrorCode(reply[1]), reply[2])
        return int(reply[1])
