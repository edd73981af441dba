"""A small supervisor for local store servers: start on 127.0.0.1, wait until ready, stop cleanly, never hang.

Each server runs as a child process in its own session (so a Ctrl-C in the terminal does not reach it twice) with
its output in a log file; a server that exits or is not ready within its timeout raises ``STORE_UNAVAILABLE`` with
the tail of that log, so the reason is in the error and not only on disk.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Literal, Protocol, TypeVar

from erp_core.errors import ErrorCode, NexusError

LOOPBACK = "127.0.0.1"
log = logging.getLogger("nexus.supervisor")


_LOWEST_PICKED_PORT = 20000


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that was free a moment ago, below the kernel's ephemeral range.

    A port the OS picks (bind to 0) comes from the ephemeral range, which the kernel also hands out as the local end
    of outgoing connections: between the pick and a slow server binding it (ArcadeDB's JVM takes seconds) any client
    connection may take it, as CI once saw ("Unable to listen to a HTTP port"). Below that range ports are only
    taken by listeners that ask for them.
    """
    below = _ephemeral_range_start()
    for _ in range(64):
        port = _LOWEST_PICKED_PORT + secrets.randbelow(below - _LOWEST_PICKED_PORT)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # all tried were taken: let the OS pick
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _ephemeral_range_start() -> int:
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # Linux's default, and near other systems' (49152)
    return max(low, _LOWEST_PICKED_PORT + 1000)


def port_open(host: str, port: int, timeout_s: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def unavailable(what: str, detail: str) -> NexusError:
    return NexusError(ErrorCode.STORE_UNAVAILABLE, f"{what} is unavailable: {detail}")


@dataclass
class ServerSpec:
    """How to run one local server. ``ready`` is probed until it returns True."""

    name: str
    argv: list[str]
    cwd: Path
    port: int
    uri: str
    start_timeout_s: float = 60.0
    ready: Callable[[], bool] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def is_ready(self) -> bool:
        if not port_open(LOOPBACK, self.port):
            return False
        return self.ready() if self.ready is not None else True


class ManagedServer:
    """One supervised child process. Use as a context manager or call ``start``/``stop``."""

    def __init__(self, spec: ServerSpec, *, supervised: bool = False) -> None:
        self.spec = spec
        self.log_path = spec.cwd / f"{spec.name}.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._supervised = supervised  # started by a ``Supervised`` thread: dies with it (retrieval.servers.launch)

    @property
    def uri(self) -> str:
        return self.spec.uri

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> ManagedServer:
        """Starts the process and blocks until it is ready or ``start_timeout_s`` passed."""
        spec = self.spec
        spec.cwd.mkdir(parents=True, exist_ok=True)
        if port_open(LOOPBACK, spec.port):
            raise unavailable(spec.name, f"port {spec.port} on {LOOPBACK} is already in use by another process")
        env = {**os.environ, **spec.env}
        argv = spec.argv
        if self._supervised:
            argv, extra = supervised_argv(argv)
            env.update(extra)
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # argv is built by this package, never from input
                argv, cwd=spec.cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=env, start_new_session=True)
        deadline = time.monotonic() + spec.start_timeout_s
        while time.monotonic() < deadline:
            code = self._process.poll()
            if code is not None:
                raise unavailable(spec.name, f"server exited with status {code} during start-up; "
                                             f"log {self.log_path}:\n{self.log_tail()}")
            if spec.is_ready():
                return self
            time.sleep(0.1)
        self.stop()
        raise unavailable(spec.name, f"not ready after {spec.start_timeout_s:.0f} s; log {self.log_path}:\n"
                                     f"{self.log_tail()}")

    def stop(self, timeout_s: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after ``timeout_s``; safe to call twice."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        terminate(process.pid, timeout_s)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=1)

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self) -> int | None:
        """Block until the process ends (reaping it); its return code. None when it was never started."""
        process = self._process
        return process.wait() if process is not None else None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> ManagedServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def terminate(pid: int, timeout_s: float = 15.0) -> None:
    """Stops the process ``pid`` (one this package started): SIGTERM, wait, then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not pid_alive(pid) or _is_zombie(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


# ------------------------------------------------------------------------------------------- restarting children

_SIGNAL_CAUSES = {
    signal.SIGILL: "illegal instruction (SIGILL): native code built for CPU features this machine lacks",
    signal.SIGSEGV: "segmentation fault (SIGSEGV)",
    signal.SIGBUS: "bus error (SIGBUS)",
    signal.SIGABRT: "aborted (SIGABRT)",
    signal.SIGKILL: "killed (SIGKILL; the kernel's out-of-memory killer, or an operator)",
    signal.SIGTERM: "terminated (SIGTERM)",
}


def describe_exit(returncode: int | None) -> str:
    """A person's words for how a child process ended (subprocess gives -N for signal N)."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            sig = signal.Signals(-returncode)
        except ValueError:
            return f"killed by signal {-returncode}"
        return _SIGNAL_CAUSES.get(sig, f"killed by {sig.name}")
    return f"exited with status {returncode}"


def _find_prctl() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: stop() and atexit still end the child
        return None


_PRCTL = _find_prctl()


SUPERVISOR_PID = "NEXUS_SUPERVISOR_PID"  # set for a supervised child: the process that started it


def supervised_argv(argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """``python -m MODULE ...`` run through ``retrieval.servers.launch``, and the environment it reads."""
    if len(argv) < 3 or argv[1] != "-m":
        raise ValueError("a supervised child is a Python module: [python, '-m', module, ...]")
    return [argv[0], "-m", "retrieval.servers.launch", *argv[2:]], {SUPERVISOR_PID: str(os.getpid())}


def die_with_parent() -> None:
    """Called in a child: it gets SIGTERM when the thread that started it ends (Linux ``PR_SET_PDEATHSIG``).

    The supervisor thread that spawns a child lives exactly as long as its supervision, so a server process killed
    outright (SIGKILL, OOM) never leaves its children behind.
    """
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)


class Child(Protocol):
    def wait(self) -> int | None:
        """Block until the process ends; its return code."""

    def stop(self) -> None:
        """End the process; safe after it ended."""


C = TypeVar("C", bound=Child)
ChildState = Literal["starting", "ready", "down", "stopped"]


class Supervised(Generic[C]):
    """Keeps one child process alive: started and restarted (with back-off) on a thread of its own, reaped there.

    ``start()`` waits for the first start and raises its error, so a child that cannot run fails the caller at once.
    Later deaths are restarted after 1, 2, 4, … 30 seconds (the delay resets after a minute of good health); ``status``
    says what is up, for ``/readyz`` and ``/metrics``.
    """

    def __init__(self, name: str, spawn: Callable[[], C], *, backoff: tuple[float, ...] = (1, 2, 4, 8, 16, 30),
                 healthy_after_s: float = 60.0) -> None:
        self.name = name
        self._spawn = spawn
        self._backoff = backoff
        self._healthy_after_s = healthy_after_s
        self._stopping = threading.Event()
        self._first = threading.Event()
        self._first_error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self.current: C | None = None
        self.state: ChildState = "starting"
        self.reason: str | None = None
        self.restarts = 0

    def start(self, timeout_s: float = 300.0) -> C:
        self._thread = threading.Thread(target=self._run, name=f"supervise-{self.name}", daemon=True)
        self._thread.start()
        if not self._first.wait(timeout_s):
            self.stop()
            raise unavailable(self.name, f"not started after {timeout_s:.0f} s")
        if self._first_error is not None:
            raise self._first_error
        assert self.current is not None
        return self.current

    def stop(self) -> None:
        self._stopping.set()
        child, self.current = self.current, None
        if child is not None:
            child.stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=20)
        self.state = "stopped"

    def status(self) -> dict[str, object]:
        return {"state": self.state, "reason": self.reason, "restarts": self.restarts}

    def _run(self) -> None:
        delay = 0
        while not self._stopping.is_set():
            try:
                child = self._spawn()
            except Exception as exc:  # the first failure goes to start(); later ones are retried
                if not self._first.is_set():
                    self._first_error = exc
                    self.state, self.reason = "down", str(exc)
                    self._first.set()
                    return
                self.state, self.reason = "down", str(exc)
                log.error("%s failed to restart: %s", self.name, exc)
            else:
                self.current, self.state, self.reason = child, "ready", None
                self._first.set()
                began = time.monotonic()
                code = child.wait()
                if self._stopping.is_set():
                    break
                self.current, self.state, self.reason = None, "down", describe_exit(code)
                self.restarts += 1
                if time.monotonic() - began > self._healthy_after_s:
                    delay = 0
                log.error("%s %s; restarting in %.0f s", self.name, self.reason, self._backoff[delay])
            self._stopping.wait(self._backoff[delay])
            delay = min(delay + 1, len(self._backoff) - 1)
            if not self._stopping.is_set():
                self.state = "starting"
