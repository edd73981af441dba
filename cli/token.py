"""``nexus token``: print a bearer token from the local dev issuer."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def token(
        user: str = typer.Option(..., "--user", help="User id, e.g. alice@acme."),
        tenant: str = typer.Option(..., "--tenant", help="Tenant id, e.g. acme."),
        roles: str = typer.Option("employee", "--roles", help="Comma-separated roles, e.g. accountant,employee."),
        ttl: int | None = typer.Option(None, "--ttl", help="Lifetime in seconds (default NEXUS_DEV_TOKEN_TTL_S)."),
    ) -> None:
        """Print a dev-issuer access token (for curl, the OpenAI SDK, the widget)."""
        from server.bootstrap import build_dev_issuer
        from server.settings import Settings

        settings = Settings()
        issuer = build_dev_issuer(settings)
        role_list = [r.strip() for r in roles.split(",") if r.strip()]
        typer.echo(issuer.issue(user, tenant, role_list, ttl_s=ttl or settings.dev_token_ttl_s))
