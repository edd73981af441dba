"""A benchmark's server as its own uvicorn process (a client never shares the server's interpreter lock)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def uvicorn_factory(factory: str, env: Mapping[str, str], *, port: int, extra: Sequence[str] = (),
                    start_timeout_s: float = 180) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run ``module:function`` (an app factory) on 127.0.0.1:``port``; yields (process, base URL) once /healthz is
    200, and stops the process on exit."""
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning", "--no-access-log", *extra],
                            env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{factory} did not start")
            time.sleep(0.2)
        yield proc, base
    finally:
        proc.terminate()
        proc.wait(timeout=15)
