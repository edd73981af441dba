"""free_port picks below the kernel's ephemeral range, where outgoing connections never take a port."""

from __future__ import annotations

import socket

import pytest

from retrieval.servers.supervisor import _ephemeral_range_start, free_port


def test_ports_are_below_the_ephemeral_range_and_bindable() -> None:
    below = _ephemeral_range_start()
    ports = {free_port() for _ in range(20)}
    assert all(20000 <= port < below for port in ports)
    assert len(ports) > 15  # random picks, not one fixed port
    for port in list(ports)[:3]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_a_taken_port_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", free_port()))
        held.listen()
        taken = held.getsockname()[1]
        picks = iter([taken - 20000, taken - 20000 + 1])  # the random pick lands on the taken port first
        monkeypatch.setattr("retrieval.servers.supervisor.secrets.randbelow", lambda _n: next(picks))
        assert free_port() == taken + 1
