"""Budgets: tenant × department × account × month. Actuals are never stored: they come from the GL (epm.actuals)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base

Minor = BigInteger().with_variant(Integer(), "sqlite")


class Budget(Base):
    __tablename__ = "epm_budgets"
    __table_args__ = (
        UniqueConstraint("tenant", "year", "month", "department_code", "account_code"),
        Index("ix_epm_budgets_tenant_year_dept", "tenant", "year", "department_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    department_code: Mapped[str] = mapped_column(String(16))
    account_code: Mapped[str] = mapped_column(String(32))
    # In the natural direction of the account: expenses as positive costs, revenue as positive income.
    amount_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
