"""Alembic migrations of the ERP schema, shipped inside the package (``erp_core.migrations.upgrade(url)``).

Revisions: ``0001_ledger`` (tenants, ledger, approvals, audit, outbox, AP/AR), then later domains. ``env.py`` targets
``erp_core.db.Base.metadata`` after importing every erp_core module that declares models (``load_models``).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
_DECLARES_MODELS = re.compile(r"^from erp_core\.db import .*\bBase\b", re.MULTILINE)


def load_models() -> None:
    """Import every erp_core module that declares tables, so ``Base.metadata`` holds the whole schema.

    Modules are found by their source (``from erp_core.db import Base``) rather than by importing everything: a
    domain module may pull in heavy libraries the schema does not need.
    """
    root = HERE.parent  # the erp_core package
    for info in pkgutil.walk_packages([str(root)], prefix="erp_core."):
        if info.name.startswith("erp_core.migrations") or info.ispkg:
            continue
        path = root.joinpath(*info.name.split(".")[1:]).with_suffix(".py")
        if path.is_file() and _DECLARES_MODELS.search(path.read_text(encoding="utf-8")):
            importlib.import_module(info.name)


def alembic_config(url: str):  # type: ignore[no-untyped-def]  # alembic is imported lazily
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    # Passed as an attribute, not an ini option: ini values interpolate '%', which URL-encoded passwords contain.
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (``alembic upgrade head``); idempotent."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
