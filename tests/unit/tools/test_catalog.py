"""The catalog is the one table of tools: every @tool function in a domain module is listed, once, under its module."""

from __future__ import annotations

import inspect

from tools.catalog import TOOLS, load_all
from tools.registry import spec_of


def test_every_described_tool_is_listed_under_its_module() -> None:
    for domain, functions in TOOLS.items():
        module = inspect.getmodule(functions[0])
        assert module is not None and module.__name__ == f"tools.{domain}"
        described = [fn for _, fn in inspect.getmembers(module, inspect.isfunction)
                     if fn.__module__ == module.__name__ and hasattr(fn, "__tool_spec__")]
        assert set(described) == set(functions), f"tools.{domain} lists other tools than it describes"
        assert all(fn.__module__ == module.__name__ for fn in functions)


def test_the_registry_is_the_catalog_in_order_and_each_call_builds_its_own() -> None:
    names = [spec_of(fn).name for functions in TOOLS.values() for fn in functions]
    assert [spec.name for spec in load_all().all()] == names
    assert len(set(names)) == len(names)
    assert load_all() is not load_all()  # no shared, mutable registry
