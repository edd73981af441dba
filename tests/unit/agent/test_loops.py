"""A looping small model is cut off; ordinary repetition (tables, lists, figures) is not."""

from __future__ import annotations

import pytest

from agent.backends.loops import repeats_itself


@pytest.mark.parametrize("text", [
    "I'm a digital assistant, a digital assistant, a digital assistant, a digital assistant, ",
    "Rent was booked. Rent was booked. Rent was booked. ",
    "So: the answer is the answer is the answer is ",
    "I help with finances, sales and HR questions. I help with finances, sales and HR questions. ",
])
def test_a_span_repeated_three_times_is_a_loop(text: str) -> None:
    assert repeats_itself(text)


@pytest.mark.parametrize("text", [
    "| account | balance |\n| --- | --- | --- | --- | --- | --- |",
    "6100 Rent: 42,000.00 USD; 6200 Travel: 9,120.00 USD; 6300 Software: 3,400.00 USD",
    "ha ha ha ha ha ha",  # too short a span to be a loop worth cutting
    "a digital assistant, a digital assistant, ",  # twice is phrasing, not yet a loop
    "",
])
def test_ordinary_text_is_not_a_loop(text: str) -> None:
    assert not repeats_itself(text)
