"""The heap freeze after start-up: on by default in the server, off in this test process (see tests/conftest.py)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agent.backends.scripted import ScriptedChat
from server import heap


@pytest.fixture()
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # frozen objects are never collected: do not leak this test's heap into the rest of the run


def test_freeze_leaves_the_live_heap_out_of_full_collections(unfrozen: None) -> None:
    assert gc.get_freeze_count() == 0
    frozen = heap.freeze("a test")
    assert frozen > 1000 and gc.get_freeze_count() > 1000
    cycle: list[Any] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1  # cycles made after the freeze are still collected


@pytest.mark.parametrize("enabled", [True, False])
def test_the_server_freezes_after_start_up_only_when_enabled(make_client: Callable[..., Any], unfrozen: None,
                                                               enabled: bool) -> None:
    make_client(ScriptedChat(["hi"]), gc_freeze=enabled)
    assert (gc.get_freeze_count() > 0) is enabled
