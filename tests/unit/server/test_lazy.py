"""Lazy builds once; a failed build is not retried on every call until its back-off has passed."""

from __future__ import annotations

import pytest

from erp_core.errors import ErrorCode, NexusError
from server.agent_wiring import Lazy


class FlakyStore:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.attempts = 0

    def __call__(self) -> str:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise NexusError(ErrorCode.STORE_UNAVAILABLE, "graph is unavailable: port 17687 is taken")
        return "connected"


def test_builds_once() -> None:
    build = FlakyStore(failures=0)
    lazy = Lazy(build)
    assert lazy() == lazy() == "connected" and build.attempts == 1 and lazy.ready


def test_a_failed_build_waits_for_its_back_off_before_the_next_attempt() -> None:
    now = [100.0]
    build = FlakyStore(failures=2)
    lazy = Lazy(build, retry_after_s=30, clock=lambda: now[0])
    for _ in range(3):  # the same clear error each time, one attempt only
        with pytest.raises(NexusError) as caught:
            lazy()
        assert caught.value.code is ErrorCode.STORE_UNAVAILABLE
    assert build.attempts == 1 and not lazy.ready
    now[0] += 30
    with pytest.raises(NexusError):
        lazy()  # second attempt, fails again, back-off restarts
    assert build.attempts == 2
    now[0] += 29
    with pytest.raises(NexusError):
        lazy()
    assert build.attempts == 2
    now[0] += 1
    assert lazy() == "connected" and build.attempts == 3
    now[0] += 1000
    assert lazy() == "connected" and build.attempts == 3
