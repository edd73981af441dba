"""Fixtures shared by every test tier. Tier-specific fixtures live in each folder's own conftest.py."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from retrieval.servers.supervisor import free_port

# Nothing in the test suite may reach a model hub or phone home.
for _var, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "RAGAS_DO_NOT_TRACK": "true",
    "ANONYMIZED_TELEMETRY": "False",
    # This process builds hundreds of apps; frozen objects are never collected, so only real servers freeze.
    "NEXUS_GC_FREEZE": "false",
}.items():
    os.environ.setdefault(_var, _value)

PG_ADMIN_DSN = os.environ.get("NEXUS_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin_url_for(dbname: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{dbname}".replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def pg_database_factory() -> Iterator[object]:
    """Creates throw-away PostgreSQL databases on the machine's server and drops them at the end of the session."""
    import psycopg

    created: list[str] = []

    def make(prefix: str = "nexus_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return _pg_admin_url_for(name)

    yield make

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def pg_url(pg_database_factory: object) -> str:
    """A fresh, empty PostgreSQL database URL (SQLAlchemy form) for one test."""
    return pg_database_factory()  # type: ignore[operator,no-any-return]


def wait_for_http(url: str, timeout_s: float, proc: object | None = None) -> None:
    """Poll ``url`` until it answers below 500; fail early if ``proc`` (a Popen) died."""
    import time

    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:  # type: ignore[attr-defined]
            raise RuntimeError(f"server process exited with {proc.returncode} before {url} answered")  # type: ignore[attr-defined]
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout_s}s")


@pytest.fixture(scope="session")
def spawn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Start real server processes on 127.0.0.1 and stop them at the end: ``spawn_server(cmd, ready_url, env=...)``."""
    import subprocess
    import sys

    procs: list[subprocess.Popen[bytes]] = []

    def start(cmd: list[str], ready_url: str, *, env: dict[str, str] | None = None, timeout_s: float = 60,
              cwd: str | None = None) -> subprocess.Popen[bytes]:
        log = tmp_path_factory.mktemp("server-logs") / "server.log"
        full_env = {**os.environ, **(env or {})}
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=cwd)
        procs.append(proc)
        try:
            wait_for_http(ready_url, timeout_s, proc)
        except (RuntimeError, TimeoutError):
            sys.stderr.write(log.read_text(errors="replace")[-4000:])
            raise
        return proc

    yield start

    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture()
def unused_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The small demo company (seed 42) seeded once per session into a SQLite file; copy it before writing."""
    from erp_core import migrations
    from erp_core.db import Database
    from erp_core.seed.runner import DEFAULT_AS_OF, seed_demo

    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    url = f"sqlite:///{path}"
    migrations.upgrade(url)
    db = Database(url)
    seed_demo(db, size="small", seed=42, as_of=DEFAULT_AS_OF)
    db.dispose()
    return path


@pytest.fixture()
def demo_db(demo_db_template: object, tmp_path: object) -> Iterator[object]:
    """A private, writable copy of the seeded demo company."""
    import shutil
    from pathlib import Path

    from erp_core.db import Database

    target = Path(str(tmp_path)) / "demo.db"
    shutil.copy(str(demo_db_template), target)
    db = Database(f"sqlite:///{target}")
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def embedder() -> object:
    """The packaged all-MiniLM-L6-v2 sentence embedder (loaded once per session)."""
    from retrieval.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(device="cpu")


@pytest.fixture(scope="session")
def kit() -> object:
    """tests/support/interfaces_kit.py (helpers of the interface tests), loaded once: test folders are not packages."""
    import importlib.util
    import sys
    from pathlib import Path

    name = "nexus_interfaces_kit"
    if name not in sys.modules:
        path = Path(__file__).resolve().parent / "support" / "interfaces_kit.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
