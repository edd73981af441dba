"""The ``nexus`` command line. Each sub-command lives in its own module with a ``register(app)`` function.

Imports stay light here: ``nexus --help`` must not load torch, llama.cpp or the web stack.
"""

from __future__ import annotations

from server.offline import keep_offline

keep_offline()  # first: every sub-command (serve, eval, index, …) imports libraries that read it at import time

import importlib  # noqa: E402

import typer  # noqa: E402

COMMAND_MODULES: tuple[str, ...] = ("serve", "token", "chat", "settings_cmd", "audit", "db", "index", "graph", "stores",
                                     "seed", "gpu", "outbox", "eval", "tenant", "imports", "export")

app = typer.Typer(
    name="nexus",
    help="Nexus: a self-hosted AI assistant for your ERP (local LLaMA model, approved writes only).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def main() -> None:
    app()
