"""Nothing phones home (issue 19): `nexus serve` started without the Makefile's environment runs a chat turn while
every outbound connection or name lookup beyond loopback fails loudly and is recorded.

The server process (and the model engine process it starts) load a ``sitecustomize`` from this test that
- refuses ``socket.connect``/``connect_ex`` to non-loopback addresses and ``getaddrinfo`` of non-loopback names,
  writing each attempt to a log (uvloop is hidden, so asyncio's Python-level sockets carry every connection);
- records the telemetry/hub variables at the moment a telemetry-capable library (Haystack, the Hugging Face hub,
  transformers, sentence-transformers, ragas) is first imported, which shows the process set them *before* that.
The parent environment has none of those variables, so only the process itself can have set them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from retrieval.servers.supervisor import free_port
from server.auth import DevIssuer
from server.offline import HUB_OFFLINE, TELEMETRY_OFF

GUARD = '''
import atexit, importlib.abc, ipaddress, json, os, socket, sys

_DIR = os.environ["NEXUS_TEST_GUARD_DIR"]
_WATCHED = ("haystack", "huggingface_hub", "transformers", "sentence_transformers", "ragas", "posthog")
_VARS = %(vars)r
sys.modules["uvloop"] = None  # asyncio's own loop: its sockets pass through the guard below


def _log(name, record):
    with open(os.path.join(_DIR, name), "a") as out:
        out.write(json.dumps({"pid": os.getpid(), **record}) + "\\n")


def _loopback(host):
    if host in (None, "", "localhost") or str(host).endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%%")[0]).is_loopback
    except ValueError:
        return False


_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        _log("blocked.jsonl", {"call": "connect", "target": str(address)})
        raise ConnectionRefusedError(f"test guard: outbound connection to {address} refused")
    return _connect(self, address)


def connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
        _log("blocked.jsonl", {"call": "connect_ex", "target": str(address)})
        return 111
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if not _loopback(name):
        _log("blocked.jsonl", {"call": "getaddrinfo", "target": str(name)})
        raise socket.gaierror(socket.EAI_NONAME, f"test guard: lookup of {name} refused")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo


class _FirstImport(importlib.abc.MetaPathFinder):
    seen = set()

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in _WATCHED and top not in self.seen:
            self.seen.add(top)
            _log("imports.jsonl", {"module": top, "env": {k: os.environ.get(k) for k in _VARS}})
        return None


sys.meta_path.insert(0, _FirstImport())
_log("guard.jsonl", {"argv": sys.argv[:3]})
'''


def _records(folder: Path, name: str) -> list[dict[str, object]]:
    path = folder / name
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_server_and_a_turn_make_no_outbound_connection(tmp_path: Path) -> None:
    guard_dir, site_dir, data = tmp_path / "guard", tmp_path / "site", tmp_path / "data"
    for folder in (guard_dir, site_dir, data):
        folder.mkdir()
    watched = sorted({*TELEMETRY_OFF, *HUB_OFFLINE})
    (site_dir / "sitecustomize.py").write_text(GUARD % {"vars": watched})
    env = {key: value for key, value in os.environ.items() if key not in watched and not key.startswith("NEXUS_")}
    port = free_port()
    env.update({"PYTHONPATH": str(site_dir), "NEXUS_TEST_GUARD_DIR": str(guard_dir), "NEXUS_DATA_DIR": str(data),
                "NEXUS_HOST": "127.0.0.1", "NEXUS_PORT": str(port), "NEXUS_GC_FREEZE": "false"})
    issuer = DevIssuer(data / "keys" / "dev-issuer.pem", issuer="nexus-dev", audience="nexus")
    nexus = shutil.which("nexus") or str(Path(sys.executable).with_name("nexus"))
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen([nexus, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.5)
        token = issuer.issue("alice@acme", "acme", ["accountant", "employee"])
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=240) as client:
            reply = client.post("/v1/chat", json={"message": "What does our travel policy say about hotels?",
                                                  "thread_id": f"offline-{uuid.uuid4().hex[:8]}"})
        assert reply.status_code == 200 and "event: done" in reply.text
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    assert _records(guard_dir, "guard.jsonl"), "the connection guard was not loaded into the server"
    assert _records(guard_dir, "blocked.jsonl") == []
    first_imports = _records(guard_dir, "imports.jsonl")
    assert first_imports, "no telemetry-capable library was imported: the probe proves nothing"
    for record in first_imports:
        env_then = record["env"]
        assert isinstance(env_then, dict)
        for name, value in TELEMETRY_OFF.items():
            assert env_then[name] == value, (record["module"], name)
        for name, value in HUB_OFFLINE.items():
            assert env_then[name] == value, (record["module"], name)
