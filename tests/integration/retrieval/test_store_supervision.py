"""Local store servers a process starts for itself are supervised: a killed server is reaped and comes back on the
same port while its clients keep working, SIGTERM stops it, and it never outlives the process that started it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from retrieval.servers.local import LocalStoreConfig, LocalStores
from retrieval.servers.supervisor import _is_zombie, describe_exit, free_port, pid_alive, port_open


def wait_until(predicate: Callable[[], bool], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.2)


@pytest.fixture()
def stores(tmp_path: Path) -> Iterator[LocalStores]:
    local = LocalStores(LocalStoreConfig(data_dir=tmp_path, graph_port=free_port(), mongo_port=free_port()))
    yield local
    local.close()


@pytest.mark.parametrize("name", ["mongo", "graph"])
def test_killed_server_is_restarted_on_its_port(stores: LocalStores, name: str) -> None:
    import signal

    uri = stores.uri(name)  # type: ignore[arg-type]
    assert uri is not None
    supervised = stores._owned[name]  # type: ignore[index]
    first = supervised.current
    assert first is not None and first.pid is not None
    pid, port = first.pid, first.spec.port
    assert stores.status()[name]["state"] == "ready"

    first._process.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
    wait_until(lambda: stores.status()[name]["state"] != "ready" or supervised.restarts == 1, 10)
    wait_until(lambda: stores.status()[name]["state"] == "ready")
    assert stores.status()[name]["restarts"] == 1
    assert not pid_alive(pid)  # reaped: no <defunct> left behind
    assert port_open("127.0.0.1", port)
    assert stores.uri(name) == uri  # type: ignore[arg-type]  # clients keep the same address
    if name == "mongo":
        from retrieval.content_store import MongoContentStore

        store = MongoContentStore(uri, timeout_s=5)
        store.close()
    else:
        from retrieval.graph.bolt_store import BoltGraphStore

        store = BoltGraphStore(uri, "root", stores.cfg.graph_password, stores.cfg.graph_database, timeout_s=10)
        store.close()


def test_close_stops_the_server(stores: LocalStores) -> None:
    stores.uri("mongo")
    server = stores._owned["mongo"].current
    assert server is not None and server.pid is not None
    pid = server.pid
    stores.close()
    wait_until(lambda: not pid_alive(pid), 20)


def test_server_ends_when_its_owner_is_killed(tmp_path: Path) -> None:
    port = free_port()
    script = ("import time\n"
              "from pathlib import Path\n"
              "from retrieval.servers.local import LocalStoreConfig, LocalStores\n"
              f"stores = LocalStores(LocalStoreConfig(data_dir=Path({str(tmp_path)!r}), mongo_port={port}))\n"
              "stores.uri('mongo')\n"
              f"Path({str(tmp_path / 'pid')!r}).write_text(str(stores._owned['mongo'].current.pid))\n"
              "time.sleep(120)\n")
    owner = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[3])
    try:
        pid_file = tmp_path / "pid"
        wait_until(lambda: pid_file.is_file() and bool(pid_file.read_text()), 60)
        server = int(pid_file.read_text())
        assert pid_alive(server)
        owner.kill()
        owner.wait()
        wait_until(lambda: not pid_alive(server) or _is_zombie(server), 20)  # an orphan is reaped by init
    finally:
        owner.kill()


def test_exit_causes_in_words() -> None:
    assert "SIGILL" in describe_exit(-4)
    assert "out-of-memory" in describe_exit(-9)
    assert describe_exit(3) == "exited with status 3"
