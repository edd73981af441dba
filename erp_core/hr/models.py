"""HR tables: employees (with their manager), leave policies and leave requests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base


class Employee(Base):
    __tablename__ = "hr_employees"
    __table_args__ = (
        UniqueConstraint("tenant", "employee_no"),
        Index("ix_hr_employees_tenant_manager", "tenant", "manager_id"),
        Index("ix_hr_employees_tenant_department", "tenant", "department_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    employee_no: Mapped[str] = mapped_column(String(16))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(160))
    user_id: Mapped[str | None] = mapped_column(String(160), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(120))
    department_code: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(80))
    level: Mapped[int] = mapped_column(Integer)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("hr_employees.id"), nullable=True)
    hire_date: Mapped[dt.date] = mapped_column(Date)
    termination_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # Confidential: only the hr role may read it (enforced in erp_core.hr.service, never in routes).
    salary_band: Mapped[str] = mapped_column(String(8))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class LeavePolicy(Base):
    __tablename__ = "hr_leave_policies"
    __table_args__ = (UniqueConstraint("tenant", "leave_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    leave_type: Mapped[str] = mapped_column(String(32))
    annual_days: Mapped[int] = mapped_column(Integer)
    carry_over_max_days: Mapped[int] = mapped_column(Integer, default=0)
    # Accrual is monthly: 1/12 of the entitlement for every completed month of service in the year.
    accrual: Mapped[str] = mapped_column(String(16), default="monthly")


class LeaveRequest(Base):
    __tablename__ = "hr_leave_requests"
    __table_args__ = (Index("ix_hr_leave_requests_tenant_employee", "tenant", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("hr_employees.id"))
    leave_type: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(24))
    requested_by: Mapped[str] = mapped_column(String(160))
    approval_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
