"""Which uvicorn worker process holds a given TCP connection (read from /proc: no hooks in the server).

``nexus serve --workers N`` runs N processes that accept on one shared socket; the kernel decides which one gets a
connection. To show that state is shared, a test must send one request to worker A and the next to worker B: it
opens connections until one lands on the wanted worker, proven by the socket table, not by a server-side header.
"""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path
from typing import Any


def children(pid: int) -> list[int]:
    """The worker processes of a uvicorn parent (its multiprocessing resource tracker is a child too: skipped)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline:
                found.append(int(child))
    return sorted(found)


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _server_side_inode(server_port: int, client_port: int) -> str | None:
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        remote_port = int(fields[2].split(":")[1], 16)
        if local_port == server_port and remote_port == client_port:
            return fields[9]
    return None


def owner(workers: list[int], server_port: int, client_port: int) -> int | None:
    inode = _server_side_inode(server_port, client_port)
    if inode is None:
        return None
    return next((pid for pid in workers if inode in _socket_inodes(pid)), None)


class WorkerClient:
    """HTTP/1.1 requests, each on a fresh connection that was accepted by one particular worker."""

    def __init__(self, port: int, workers: list[int], pid: int, headers: dict[str, str] | None = None) -> None:
        self.port, self.workers, self.pid = port, workers, pid
        self.headers = headers or {}

    def _connect(self) -> http.client.HTTPConnection:
        held: list[http.client.HTTPConnection] = []
        try:
            for _ in range(200):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                conn.connect()
                client_port = conn.sock.getsockname()[1]
                deadline = time.monotonic() + 2
                who = None
                while who is None and time.monotonic() < deadline:  # until a worker accept()ed it
                    who = owner(self.workers, self.port, client_port)
                    if who is None:
                        time.sleep(0.01)
                if who == self.pid:
                    return conn
                held.append(conn)  # keep it open so the other worker is busy accepting, not this one
            raise AssertionError(f"no connection landed on worker {self.pid}")
        finally:
            for other in held:
                other.close()

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
                ) -> tuple[int, bytes]:
        conn = self._connect()
        try:
            payload = json.dumps(body).encode() if body is not None else None
            all_headers = {**self.headers, **(headers or {})}
            if payload is not None:
                all_headers["Content-Type"] = "application/json"
            conn.request(method, path, body=payload, headers=all_headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def json(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        status, data = self.request(method, path, body, headers)
        return status, json.loads(data) if data else None

    def chat(self, message: str, thread_id: str | None = None, headers: dict[str, str] | None = None
             ) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
        body: dict[str, Any] = {"message": message}
        if thread_id:
            body["thread_id"] = thread_id
        status, data = self.request("POST", "/v1/chat", body, headers)
        return status, parse_sse(data.decode()) if status == 200 else [("http", json.loads(data))]


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    name = None
    for line in text.splitlines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:") and name:
            events.append((name, json.loads(line[5:].strip())))
            name = None
    return events


def connected_to(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds an established TCP connection to 127.0.0.1:``port`` (e.g. the Milvus server)."""
    inodes = _socket_inodes(pid)
    # gRPC clients (pymilvus) use IPv6 sockets with v4-mapped addresses: those are listed in tcp6.
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01" and fields[9] in inodes:  # 01: ESTABLISHED
                return True
    return False
