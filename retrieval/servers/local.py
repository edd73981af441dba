"""The embedded-default store servers: ArcadeDB (Bolt), nx-27017 (MongoDB wire) and milvus-lite server.

Servers started by ``nexus stores start`` run detached and are recorded in ``<data_dir>/run/<name>.json``; any
process (the API, ``nexus index``, ``nexus graph sync``) finds them there. A process that needs a store nobody
started starts its own and stops it on exit. Milvus Lite needs no server for a single process: without a recorded
server the vector store opens ``<data_dir>/milvus.db`` in-process.
"""

from __future__ import annotations

import atexit
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from retrieval.servers.supervisor import (
    LOOPBACK,
    ManagedServer,
    ServerSpec,
    Supervised,
    free_port,
    pid_alive,
    port_open,
    terminate,
)

StoreName = Literal["graph", "mongo", "milvus"]
STORE_NAMES: tuple[StoreName, ...] = ("graph", "mongo", "milvus")


@dataclass(frozen=True)
class LocalStoreConfig:
    """What the local servers need (``retrieval.config.RetrievalConfig.local`` builds it from the config)."""

    data_dir: Path
    graph_port: int = 17687
    mongo_port: int = 17017
    milvus_port: int = 19540
    graph_password: str = "nexus-graph-dev"
    graph_database: str = "neo4j"
    start_timeout_s: float = 90.0

    @property
    def run_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def milvus_lite_path(self) -> Path:
        return self.data_dir / "milvus.db"


def graph_spec(cfg: LocalStoreConfig, port: int | None = None) -> ServerSpec:
    """ArcadeDB with the Bolt plugin, in ``<data_dir>/graph`` (it writes ./log into its working directory)."""
    bolt = port or cfg.graph_port
    home = (cfg.data_dir / "graph").resolve()
    home.mkdir(parents=True, exist_ok=True)
    password_file = home / "root-password"
    password_file.write_text(cfg.graph_password, encoding="utf-8")
    password_file.chmod(0o600)
    ready_file = home / f"ready-{bolt}"
    ready_file.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "retrieval.servers.arcadedb_main", "--root", str(home), "--bolt-port", str(bolt),
            "--http-port", str(free_port()), "--database", cfg.graph_database, "--password-file",
            str(password_file), "--ready-file", str(ready_file)]
    return ServerSpec(name="graph", argv=argv, cwd=home, port=bolt, uri=f"bolt://{LOOPBACK}:{bolt}",
                      start_timeout_s=cfg.start_timeout_s, ready=ready_file.is_file,
                      env={"PYTHONPATH": _project_root()})


def mongo_spec(cfg: LocalStoreConfig, port: int | None = None) -> ServerSpec:
    """nx-27017 (MongoDB wire protocol over SQLite) with its database file in ``<data_dir>/content``."""
    wire = port or cfg.mongo_port
    home = (cfg.data_dir / "content").resolve()
    argv = [sys.executable, "-m", "nx_27017.nx_27017", "--db", str(home / "content.db"), "--host", LOOPBACK,
            "--port", str(wire), "--log-file", str(home / "nx-27017-server.log"),
            "--pid-file", str(home / f"nx-27017-{wire}.pid")]
    return ServerSpec(name="mongo", argv=argv, cwd=home, port=wire, uri=f"mongodb://{LOOPBACK}:{wire}/",
                      start_timeout_s=cfg.start_timeout_s)


def milvus_spec(cfg: LocalStoreConfig, port: int | None = None) -> ServerSpec:
    """``milvus-lite server`` over ``<data_dir>/milvus.db``, for when more than one process needs the vectors."""
    grpc = port or cfg.milvus_port
    home = cfg.data_dir.resolve()
    argv = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(cfg.milvus_lite_path.resolve()),
            "--host", LOOPBACK, "--port", str(grpc)]
    return ServerSpec(name="milvus", argv=argv, cwd=home, port=grpc, uri=f"http://{LOOPBACK}:{grpc}",
                      start_timeout_s=cfg.start_timeout_s)


SPECS = {"graph": graph_spec, "mongo": mongo_spec, "milvus": milvus_spec}


def _project_root() -> str:
    return str(Path(__file__).resolve().parents[2])


# ------------------------------------------------------------------------------------------- detached servers


def _record_path(cfg: LocalStoreConfig, name: str) -> Path:
    return cfg.run_dir / f"{name}.json"


def running_server(cfg: LocalStoreConfig, name: StoreName) -> dict[str, object] | None:
    """The record of a detached server that is still alive and listening, else None (stale records are removed)."""
    path = _record_path(cfg, name)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if pid_alive(int(record["pid"])) and port_open(LOOPBACK, int(record["port"])):
        return dict(record)
    path.unlink(missing_ok=True)
    return None


def start_detached(cfg: LocalStoreConfig, name: StoreName) -> dict[str, object]:
    """Starts ``name`` in the background (it outlives this process) unless it already runs; returns its record."""
    existing = running_server(cfg, name)
    if existing is not None:
        return existing
    server = ManagedServer(SPECS[name](cfg)).start()
    record: dict[str, object] = {"name": name, "pid": server.pid, "port": server.spec.port, "uri": server.uri,
              "log": str(server.log_path)}
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    _record_path(cfg, name).write_text(json.dumps(record), encoding="utf-8")
    return record


def stop_detached(cfg: LocalStoreConfig, name: StoreName) -> bool:
    """Stops a server recorded by ``start_detached``; False when none was running."""
    record = running_server(cfg, name)
    if record is None:
        return False
    terminate(int(str(record["pid"])))
    _record_path(cfg, name).unlink(missing_ok=True)
    return True


class LocalStores:
    """Finds or starts the local servers one process needs, and stops those it started itself.

    A server this process starts is supervised: reaped and restarted on the same port with back-off when it dies,
    and ended with this process (``Supervised``). Servers started by ``nexus stores start`` belong to no process.
    """

    def __init__(self, cfg: LocalStoreConfig) -> None:
        self.cfg = cfg
        self._owned: dict[StoreName, Supervised[ManagedServer]] = {}
        atexit.register(self.close)  # a process that forgets close() must not leave servers behind

    def uri(self, name: StoreName, *, start: bool = True) -> str | None:
        """URI of a running local server for ``name``; starts one owned by this process when ``start`` is set.

        For ``milvus`` nothing is started: without a detached server the caller opens Milvus Lite in-process.
        """
        record = running_server(self.cfg, name)
        if record is not None:
            return str(record["uri"])
        owned = self._owned.get(name)
        if owned is not None:
            return SPECS[name](self.cfg).uri if owned.state != "stopped" else None
        if name == "milvus" or not start:
            return None
        spec = SPECS[name]
        port = {"graph": self.cfg.graph_port, "mongo": self.cfg.mongo_port}[name]
        supervised = Supervised(name, lambda: ManagedServer(spec(self.cfg, port), supervised=True).start())
        server = supervised.start(timeout_s=self.cfg.start_timeout_s + 30)
        self._owned[name] = supervised
        return server.uri

    def status(self) -> dict[str, dict[str, object]]:
        """State of each local server this process uses: its own (supervised) or one found running."""
        out: dict[str, dict[str, object]] = {name: sup.status() for name, sup in self._owned.items()}
        for name in STORE_NAMES:
            if name not in out and _record_path(self.cfg, name).is_file():
                alive = running_server(self.cfg, name) is not None
                out[name] = {"state": "ready" if alive else "down", "reason": None if alive else "not running",
                             "restarts": 0}
        return out

    def close(self) -> None:
        while self._owned:
            self._owned.popitem()[1].stop()
