"""System and task prompts as versioned text files, plus a tiny loader. No logic lives here."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """The text of ``files/<name>.txt`` (without its trailing newline)."""
    return resources.files(__package__).joinpath("files", f"{name}.txt").read_text(encoding="utf-8").rstrip("\n")


def render(name: str, **values: str) -> str:
    """``load(name)`` with ``{placeholders}`` filled; braces in values are left alone."""
    text = load(name)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
