"""A small supervisor for local store servers: start on 127.0.0.1, wait until ready, stop cleanly, never hang.

Each server runs as a child process in its own session (so a Ctrl-C in the terminal does not reach it twice) with
its output in a log file; a server that exits or is not ready within its timeout raises ``STORE_UNAVAILABLE`` with
the tail of that log, so the reason is in the error and not only on disk.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from erp_core.errors import ErrorCode, NexusError

LOOPBACK = "127.0.0.1"


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

    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        self.log_path = spec.cwd / f"{spec.name}.log"
        self._process: subprocess.Popen[bytes] | None = None

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
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # argv is built by this package, never from input
                spec.argv, cwd=spec.cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
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
