"""The llama.cpp engine in its supervised child process: it streams, a native crash ends only the child, the turn in
flight gets a retryable error, the child comes back, and it never outlives the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.backends.engine_process import EngineConfig, EngineProcess, check_runtime
from erp_core.errors import ErrorCode, NexusError
from retrieval.servers.supervisor import _is_zombie, pid_alive

pytestmark = pytest.mark.model

ASK = [{"role": "user", "content": "Count from one to fifty in words."}]


def wait_for(predicate: object, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


@pytest.fixture()
def engine() -> Iterator[EngineProcess]:
    process = EngineProcess(EngineConfig(n_ctx=2048)).start()
    yield process
    process.close()


def test_streams_like_the_in_process_engine(engine: EngineProcess) -> None:
    pieces = list(engine.stream(ASK, max_tokens=8))
    assert pieces[-1].finish_reason in {"length", "stop"}
    assert pieces[-1].usage is not None and pieces[-1].usage.prompt_tokens > 5
    assert "".join(p.text for p in pieces).strip()
    assert engine.count_tokens(ASK) == pieces[-1].usage.prompt_tokens
    assert engine.status()["state"] == "ready"


def test_typed_errors_cross_the_process_boundary(engine: EngineProcess) -> None:
    with pytest.raises(NexusError) as info:
        list(engine.stream([{"role": "user", "content": "word " * 3000}], max_tokens=8))
    assert info.value.code is ErrorCode.CONTEXT_TOO_LONG
    assert list(engine.stream(ASK, max_tokens=2))[-1].finish_reason  # the process is still serving


def test_reader_that_leaves_early_cancels_the_generation(engine: EngineProcess) -> None:
    stream = engine.stream(ASK, max_tokens=200)
    next(stream)
    stream.close()  # the consumer went away: the worker must stop and stay in step for the next request
    pieces = list(engine.stream(ASK, max_tokens=3))
    assert pieces[-1].usage is not None and pieces[-1].usage.completion_tokens <= 3


def test_crash_mid_stream_is_retryable_and_the_process_comes_back(engine: EngineProcess) -> None:
    first_pid = engine.pid
    assert first_pid is not None
    stream = engine.stream(ASK, max_tokens=200)
    next(stream)
    os.kill(first_pid, signal.SIGSEGV)
    with pytest.raises(NexusError) as info:
        list(stream)
    assert info.value.code is ErrorCode.BACKEND_UNAVAILABLE
    assert info.value.retryable
    assert "SIGSEGV" in info.value.message
    wait_for(lambda: engine.status()["state"] == "ready")
    assert engine.status()["restarts"] == 1
    assert engine.pid not in {None, first_pid}
    assert not pid_alive(first_pid)  # reaped, not left as a zombie
    assert list(engine.stream(ASK, max_tokens=2))[-1].finish_reason


def test_close_stops_the_child(engine: EngineProcess) -> None:
    pid = engine.pid
    assert pid is not None
    engine.close()
    assert engine.status()["state"] == "stopped"
    wait_for(lambda: not pid_alive(pid), 10)


def test_child_ends_when_its_server_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "engine.pid"
    script = ("import sys, time\n"
              "from agent.backends.engine_process import EngineConfig, EngineProcess\n"
              "engine = EngineProcess(EngineConfig(n_ctx=1024)).start()\n"
              f"open({str(pid_file)!r}, 'w').write(str(engine.pid))\n"
              "time.sleep(120)\n")
    server = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[3])
    try:
        wait_for(lambda: pid_file.is_file() and pid_file.read_text().strip())
        child = int(pid_file.read_text())
        assert pid_alive(child)
        server.kill()  # no clean shutdown: SIGKILL
        server.wait()
        wait_for(lambda: not pid_alive(child) or _is_zombie(child), 15)  # an orphan is reaped by init
    finally:
        server.kill()


def test_runtime_check_decodes_and_names_a_model_it_cannot_load(tmp_path: Path) -> None:
    info = check_runtime(EngineConfig(n_ctx=1024))
    assert info["probe_tokens"] >= 1
    bad = tmp_path / "not-a-model.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(NexusError) as exc:
        check_runtime(EngineConfig(model_path=bad, n_ctx=1024))
    assert exc.value.code is ErrorCode.BACKEND_UNAVAILABLE
    assert "cannot run" in exc.value.message


def test_illegal_instruction_at_start_names_the_cause_and_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a runtime built for another CPU does: the child dies of SIGILL before it can report ready."""
    real_popen = subprocess.Popen

    def popen_then_sigill(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        process = real_popen(*args, **kwargs)  # type: ignore[call-overload]
        os.kill(process.pid, signal.SIGILL)
        return process  # type: ignore[no-any-return]

    monkeypatch.setattr("agent.backends.engine_process.subprocess.Popen", popen_then_sigill)
    with pytest.raises(NexusError) as info:
        check_runtime(EngineConfig(n_ctx=1024))
    assert "SIGILL" in info.value.message
    assert "make install" in info.value.message  # the fix, not a bare signal


def test_nexus_serve_stops_with_a_message_when_the_model_cannot_run(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    env = {**os.environ, "NEXUS_DATA_DIR": str(tmp_path / "data"), "NEXUS_MODEL_PATH": str(bad),
           "NEXUS_PORT": "1"}  # never reached: the check runs before the server binds
    nexus = str(Path(sys.executable).with_name("nexus"))
    done = subprocess.run([nexus, "serve"], env=env, capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 1
    assert "Nexus cannot start" in done.stderr
    assert "Traceback" not in done.stderr
