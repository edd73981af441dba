"""Read models for HR; the salary band is filled in only for the hr role (decided here, once)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from erp_core.hr.models import Employee
from erp_core.identity import Actor

HR_ROLE = "hr"


class EmployeeView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    employee_no: str
    name: str
    email: str
    user_id: str | None
    title: str
    department_code: str
    location: str
    level: int
    manager_id: int | None
    manager_name: str | None
    hire_date: dt.date
    termination_date: dt.date | None
    salary_band: str | None  # None unless the reader holds the hr role


def can_see_salary(actor: Actor) -> bool:
    return actor.has_role(HR_ROLE)


def employee_view(employee: Employee, actor: Actor, manager: Employee | None = None) -> EmployeeView:
    return EmployeeView(
        id=employee.id,
        employee_no=employee.employee_no,
        name=employee.full_name,
        email=employee.email,
        user_id=employee.user_id,
        title=employee.title,
        department_code=employee.department_code,
        location=employee.location,
        level=employee.level,
        manager_id=employee.manager_id,
        manager_name=manager.full_name if manager is not None else None,
        hire_date=employee.hire_date,
        termination_date=employee.termination_date,
        salary_band=employee.salary_band if can_see_salary(actor) else None,
    )


class OrgNode(BaseModel):
    id: int
    name: str
    title: str
    department_code: str
    reports: list[OrgNode]


class HeadcountRow(BaseModel):
    month: str  # YYYY-MM
    department_code: str
    headcount: int


class LeaveBalanceView(BaseModel):
    employee_id: int
    employee_name: str
    leave_type: str
    year: int
    entitlement_days: int
    carried_over: str
    accrued: str
    taken: str
    balance: str


class LeaveRequestView(BaseModel):
    id: int
    employee_id: int
    leave_type: str
    start_date: dt.date
    end_date: dt.date
    days: int
    status: str
    approval_id: str | None
    approver_user_id: str | None
