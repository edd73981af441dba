"""Tenants get a fiscal-year start month (issue 17: ``nexus tenant create --fiscal-year-start``).

Revision ID: 0003_tenant_fiscal_year
Revises: 0002_domains
Create Date: 2026-12-05 19:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_tenant_fiscal_year"
down_revision: str | None = "0002_domains"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fiscal_year_start", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("fiscal_year_start")
