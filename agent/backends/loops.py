"""Degenerate repetition: small models decoding greedily fall into loops ("a digital assistant, a digital assistant,
a digital assistant, …") and would run to the token budget, seconds of CPU spent on text nobody wants.

A loop is the same span of at least ``MIN_SPAN`` characters, with at least two words in it, ending the text
``REPEATS`` times in a row — or twice for a span of a whole sentence's length (``LONG_SPAN``): nobody writes the same
40 characters twice in a row on purpose. Repeated table rules ("| --- | --- |") or short lists have no words or are
too short.
"""

from __future__ import annotations

import re

MIN_SPAN = 12
MAX_SPAN = 120
REPEATS = 3
LONG_SPAN = 40
_WORD = re.compile(r"[^\W\d_]{2,}")


def repeats_itself(text: str) -> bool:
    """Whether ``text`` ends with one span repeated ``REPEATS`` times (twice from ``LONG_SPAN`` characters)."""
    longest = min(MAX_SPAN, len(text) // 2)
    for span in range(MIN_SPAN, longest + 1):
        unit = text[-span:]
        repeats = 2 if span >= LONG_SPAN else REPEATS
        # Runs after every generated token: the string comparisons fail fast, so the word count comes last.
        if span * repeats <= len(text) and all(text[-(i + 1) * span: -i * span] == unit for i in range(1, repeats)) \
                and len(_WORD.findall(unit)) >= 2:
            return True
    return False
