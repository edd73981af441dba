"""``nexus chat``: talk to a running server from the terminal, answers streamed as they are written."""

from __future__ import annotations

import json
from collections.abc import Iterator

import typer


def parse_sse(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, object]]]:
    """Yield (event, data) pairs from SSE lines; data is JSON per our contract."""
    event, data = "message", list[str]()
    for line in lines:
        if line == "":
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", list[str]()
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


def _render(event: str, data: dict[str, object]) -> str | None:
    if event == "token":
        return str(data.get("text", ""))
    if event == "tool_call":
        return f"\n[tool {data.get('name')} {json.dumps(data.get('args'))}]\n"
    if event == "tool_result":
        return f"[{'ok' if data.get('ok') else 'failed'}: {data.get('summary')}]\n"
    if event == "table":
        return "\n\n" + _table(data) + "\n"
    if event == "suggestions":
        return "\n[try: " + " | ".join(str(item) for item in _items(data.get("items"))) + "]\n"
    if event == "citation":
        return f"\n[source: {data.get('title')}]"
    if event == "approval_required":
        return (f"\n[approval needed: {data.get('approval_id')} by {_names(data.get('approvers'))};"
                f" approve with POST /v1/approvals/{data.get('approval_id')}/approve]\n")
    if event == "error":
        return f"\n[error {data.get('code')}: {data.get('message')}]\n"
    return None


def _items(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _table(data: dict[str, object]) -> str:
    """A ``table`` event as the Markdown the thread keeps (``tools.presentation.Table.markdown``)."""
    from tools.presentation import Table

    rows = tuple(tuple(str(cell) for cell in _items(row)) for row in _items(data.get("rows")))
    return Table(str(data.get("title", "")), tuple(str(c) for c in _items(data.get("columns"))), rows).markdown()


def _names(value: object) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


def register(app: typer.Typer) -> None:
    @app.command()
    def chat(
        url: str = typer.Option("http://127.0.0.1:8000", help="Server base URL."),
        user: str = typer.Option("alice@acme", help="Dev-issuer user id."),
        tenant: str = typer.Option("acme", help="Tenant."),
        roles: str = typer.Option("accountant,employee", help="Comma-separated roles."),
        token: str | None = typer.Option(None, envvar="NEXUS_TOKEN", help="Use this bearer token instead."),
        message: str | None = typer.Option(None, "--message", "-m", help="Ask one question and exit."),
    ) -> None:
        """Chat in the terminal (Ctrl-D to quit)."""
        import httpx

        if token is None:
            from server.bootstrap import build_dev_issuer
            from server.settings import Settings

            token = build_dev_issuer(Settings()).issue(user, tenant, roles.split(","), ttl_s=3600)
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        thread_id: str | None = None
        with httpx.Client(base_url=url, headers=headers, timeout=httpx.Timeout(10, read=300)) as client:
            while True:
                text = message if message is not None else _prompt()
                if text is None:
                    return
                with client.stream("POST", "/v1/chat", json={"message": text, "thread_id": thread_id}) as resp:
                    if resp.status_code != 200:
                        resp.read()
                        typer.echo(f"error {resp.status_code}: {resp.text}", err=True)
                        raise typer.Exit(1)
                    for event, data in parse_sse(resp.iter_lines()):
                        if event == "done":
                            thread_id = str(data.get("thread_id") or thread_id)
                        shown = _render(event, data)
                        if shown:
                            typer.echo(shown, nl=False)
                typer.echo("")
                if message is not None:
                    return


def _prompt() -> str | None:
    try:
        text = input("you> ").strip()
    except EOFError:
        return None
    return text or _prompt()
