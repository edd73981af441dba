"""``nexus settings``: every setting with its default and the value in effect."""

from __future__ import annotations

import json

import typer


def settings_table_markdown() -> str:
    from server.settings import Settings

    rows = ["| variable | default | description |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        # Fields with a factory (dicts of users, roles) have no plain default: show what the factory builds.
        default = field.get_default(call_default_factory=True)
        if isinstance(default, dict | list):
            default = json.dumps(default, separators=(",", ":"))
        shown = "(secret)" if "secret" in name or "password" in name or "api_key" in name else default
        shown = "—" if shown is None else shown
        rows.append(f"| `NEXUS_{name.upper()}` | `{shown}` | {field.description or ''} |")
    return "\n".join(rows)


def register(app: typer.Typer) -> None:
    @app.command("settings")
    def settings_cmd(markdown: bool = typer.Option(False, "--markdown", help="Print the README table.")) -> None:
        """Show every NEXUS_ setting: default (with --markdown) or the value in effect."""
        if markdown:
            typer.echo(settings_table_markdown())
            return
        from server.settings import Settings

        for name, value in Settings().model_dump().items():
            hidden = "secret" in name or "password" in name or "api_key" in name
            typer.echo(f"NEXUS_{name.upper()}={'***' if hidden else value}")
