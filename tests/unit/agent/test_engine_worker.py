"""The engine process's stream protocol: the first piece goes at once, later tokens go together, the end carries the
usage, a cancel stops the generation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from multiprocessing import Pipe
from typing import Any

from agent.backends.engine_worker import _serve_stream
from agent.backends.llama_engine import Piece, Usage


class CountingEngine:
    """Yields one token per word; looks at ``cancelled`` between tokens as the real engine does."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.cancelled_at: int | None = None

    def stream(self, cancelled: Callable[[], bool], **_: Any) -> Iterator[Piece]:
        for i, word in enumerate(self.words):
            yield Piece(text=word)
            if cancelled():
                self.cancelled_at = i
                yield Piece(text="", finish_reason="cancelled", usage=Usage(3, i + 1, 0))
                return
        yield Piece(text="", finish_reason="stop", usage=Usage(3, len(self.words), 0))


def messages(interval_s: float, engine: CountingEngine, cancel: bool = False) -> list[tuple[Any, ...]]:
    ours, theirs = Pipe()
    if cancel:
        ours.send(("cancel",))
    _serve_stream(theirs, engine, {}, interval_s)
    out = []
    while ours.poll():
        out.append(ours.recv())
    return out


def test_each_token_goes_alone_without_an_interval() -> None:
    sent = messages(0.0, CountingEngine(["a ", "b ", "c"]))
    assert sent == [("piece", "a "), ("piece", "b "), ("piece", "c"),
                    ("end", "stop", {"prompt_tokens": 3, "completion_tokens": 3, "cached_tokens": 0})]


def test_tokens_within_the_interval_go_together_after_the_first() -> None:
    sent = messages(3600.0, CountingEngine(["a ", "b ", "c"]))
    assert sent[:2] == [("piece", "a "), ("piece", "b c")]  # nothing is held back at the end
    assert sent[2][0] == "end" and sent[2][2]["completion_tokens"] == 3


def test_a_cancel_stops_the_generation_and_still_ends_the_stream() -> None:
    engine = CountingEngine(["a ", "b ", "c"])
    sent = messages(3600.0, engine, cancel=True)
    assert engine.cancelled_at == 0
    assert sent == [("piece", "a "), ("end", "cancelled", {"prompt_tokens": 3, "completion_tokens": 1,
                                                         "cached_tokens": 0})]
