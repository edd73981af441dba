"""Runs ArcadeDB with its Bolt plugin on 127.0.0.1 until SIGTERM (`python -m retrieval.servers.arcadedb_main`).

Started as a child process by ``retrieval.servers.local`` so the JVM never lives inside the API process. The working
directory is the server's own folder because ArcadeDB writes ``./log`` there. When the Bolt listener is up and the
database exists, the ready file is written: clients may connect from then on.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, required=True, help="folder for databases (cwd gets ./log)")
    parser.add_argument("--bolt-port", type=int, required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--database", default="neo4j")
    parser.add_argument("--password-file", type=Path, required=True, help="file holding the root password")
    parser.add_argument("--ready-file", type=Path, required=True)
    parser.add_argument("--heap", default="512m")
    args = parser.parse_args(argv)

    args.ready_file.unlink(missing_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    from arcadedb_embedded.server import ArcadeDBServer

    password = args.password_file.read_text(encoding="utf-8").strip()
    server = ArcadeDBServer(
        str(args.root.resolve() / "databases"),
        password,
        {
            "host": "127.0.0.1",
            "http_port": args.http_port,
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": args.bolt_port,
        },
        jvm_kwargs={"heap_size": args.heap},
    )
    server.start()
    try:
        server.create_database(args.database)  # gets the database, creating it on first start
        args.ready_file.write_text(str(args.bolt_port), encoding="utf-8")
        print(f"arcadedb ready: bolt 127.0.0.1:{args.bolt_port} database {args.database}", flush=True)
        stop.wait()
    finally:
        args.ready_file.unlink(missing_ok=True)
        server.stop()


if __name__ == "__main__":
    main()
