"""HR writes: hire an employee, request leave (the employee's manager approves through the approval engine)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.approvals.engine import submit_for_approval
from erp_core.approvals.registry import LEAVE_REQUEST
from erp_core.directory import resolve_department
from erp_core.errors import ErrorCode, Issue, NexusError, validation_error
from erp_core.hr.leave import business_days
from erp_core.hr.models import Employee, LeaveRequest
from erp_core.hr.queries import (
    compute_leave_balance,
    employee_for_user,
    ensure_can_view_leave,
    get_leave_policy,
    load_employee,
)
from erp_core.hr.views import HR_ROLE, EmployeeView, LeaveRequestView, employee_view
from erp_core.identity import Actor

MAX_LEAVE_DAYS = 60


class HireEmployee(BaseModel):
    """Add an employee (HR only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_name: str = Field(min_length=1, max_length=80, description="Given name.")
    last_name: str = Field(min_length=1, max_length=80, description="Family name.")
    email: str = Field(min_length=3, max_length=160, pattern=r"^[^@\s]+@[^@\s]+$", description="Work e-mail.")
    title: str = Field(min_length=1, max_length=120, description="Job title.")
    department_code: str = Field(min_length=1, max_length=16, description="Department code, e.g. ENG.")
    location: str = Field(min_length=1, max_length=80, description="Office or city.")
    level: int = Field(ge=1, le=10, description="Grade: 1 = executive ... 6 = individual contributor.")
    manager_id: int | None = Field(None, description="Employee id of the manager.")
    hire_date: dt.date = Field(description="First working day.")
    salary_band: str = Field(pattern=r"^[A-Z][0-9]{1,2}$", description="Confidential salary band, e.g. B4.")
    user_id: str | None = Field(None, max_length=160, description="Login id if the employee has one.")


class RequestLeave(BaseModel):
    """Request leave; the employee's manager approves it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start_date: dt.date = Field(description="First day of leave (YYYY-MM-DD).")
    end_date: dt.date = Field(description="Last day of leave, inclusive.")
    leave_type: Literal["annual", "sick", "unpaid"] = Field("annual", description="Kind of leave.")
    reason: str = Field("", max_length=500, description="Optional note for the approver.")
    employee_id: int | None = Field(None, description="Whose leave; default: the requesting user (HR may name "
                                                      "anyone).")


def hire_employee(cmd: HireEmployee, actor: Actor, session: Session) -> EmployeeView:
    if not actor.has_role(HR_ROLE):
        raise NexusError(ErrorCode.FORBIDDEN, "only HR may add employees")
    resolve_department(session, actor.tenant, cmd.department_code)
    manager = load_employee(session, actor.tenant, cmd.manager_id) if cmd.manager_id is not None else None
    count = session.scalar(select(func.count(Employee.id)).where(Employee.tenant == actor.tenant)) or 0
    employee = Employee(tenant=actor.tenant, employee_no=f"E{count + 1:05d}", manager_id=cmd.manager_id,
                        **cmd.model_dump(exclude={"manager_id"}))
    session.add(employee)
    session.flush()
    return employee_view(employee, actor, manager)


def _target_employee(session: Session, actor: Actor, employee_id: int | None) -> Employee:
    if employee_id is None:
        employee = employee_for_user(session, actor.tenant, actor.user_id)
        if employee is None:
            raise NexusError(ErrorCode.NOT_FOUND, f"no employee record for user {actor.user_id}")
        return employee
    employee = load_employee(session, actor.tenant, employee_id)
    if employee.user_id != actor.user_id and not actor.has_role(HR_ROLE):
        raise NexusError(ErrorCode.FORBIDDEN, "you may request leave only for yourself")
    return employee


def create_leave_request(cmd: RequestLeave, actor: Actor, session: Session) -> LeaveRequest:
    """Validate and store a leave request (status ``draft``); ``request_leave`` then submits it for approval."""
    employee = _target_employee(session, actor, cmd.employee_id)
    ensure_can_view_leave(session, actor, employee)
    policy = get_leave_policy(session, actor.tenant, cmd.leave_type)
    days = business_days(cmd.start_date, cmd.end_date)
    issues: list[Issue] = []
    if cmd.end_date < cmd.start_date:
        issues.append(Issue("dates_reversed", "end_date is before start_date", "end_date"))
    elif days == 0:
        issues.append(Issue("no_working_days", "the range contains no working days", "start_date"))
    elif days > MAX_LEAVE_DAYS:
        issues.append(Issue("too_long", f"a single request may cover at most {MAX_LEAVE_DAYS} working days",
                            "end_date"))
    if employee.termination_date is not None and cmd.end_date >= employee.termination_date:
        issues.append(Issue("after_termination", "leave ends after the employee's last day", "end_date"))
    overlap = session.scalar(select(func.count(LeaveRequest.id)).where(
        LeaveRequest.tenant == actor.tenant, LeaveRequest.employee_id == employee.id,
        LeaveRequest.status.in_(("pending_approval", "approved")),
        LeaveRequest.start_date <= cmd.end_date, LeaveRequest.end_date >= cmd.start_date))
    if overlap:
        issues.append(Issue("overlapping_leave", "this range overlaps another pending or approved request",
                            "start_date"))
    if cmd.leave_type == "annual" and not issues:
        # Annual leave may draw on the whole year's entitlement, not just what has accrued so far.
        balance = compute_leave_balance(session, employee, dt.date(cmd.start_date.year, 12, 31), policy.leave_type)
        if Decimal(days) > Decimal(balance.balance):
            issues.append(Issue("insufficient_balance", f"{days} days requested but only {balance.balance} "
                                f"available in {cmd.start_date.year}", "end_date"))
    if issues:
        raise validation_error(issues)
    request = LeaveRequest(tenant=actor.tenant, employee_id=employee.id, leave_type=cmd.leave_type,
                           start_date=cmd.start_date, end_date=cmd.end_date, days=days, reason=cmd.reason,
                           status="draft", requested_by=actor.user_id,
                           created_at=dt.datetime.now(dt.UTC))
    session.add(request)
    session.flush()
    return request


def leave_request_view(session: Session, request: LeaveRequest) -> LeaveRequestView:
    employee = session.get(Employee, request.employee_id)
    manager = session.get(Employee, employee.manager_id) if employee and employee.manager_id else None
    return LeaveRequestView(id=request.id, employee_id=request.employee_id, leave_type=request.leave_type,
                            start_date=request.start_date, end_date=request.end_date, days=request.days,
                            status=request.status, approval_id=request.approval_id,
                            approver_user_id=manager.user_id if manager else None)


def list_leave_requests(session: Session, actor: Actor, employee_id: int | None = None,
                        status: str | None = None) -> list[LeaveRequestView]:
    employee = _target_employee(session, actor, employee_id)
    ensure_can_view_leave(session, actor, employee)
    stmt = select(LeaveRequest).where(LeaveRequest.tenant == actor.tenant, LeaveRequest.employee_id == employee.id)
    if status is not None:
        stmt = stmt.where(LeaveRequest.status == status)
    return [leave_request_view(session, r) for r in session.scalars(stmt.order_by(LeaveRequest.start_date))]


def request_leave(cmd: RequestLeave, actor: Actor, session: Session, *,
                  require_human_approval: bool = False) -> LeaveRequestView:
    """Validate a leave request and submit it to the approval engine (the employee's manager approves).

    ``require_human_approval`` (requests the assistant drafted) adds the requester's own confirmation, so such a
    request never takes effect without a person looking at it, whatever the policy says.
    """
    request = create_leave_request(cmd, actor, session)
    submit_for_approval(LEAVE_REQUEST, str(request.id), actor, session, require_confirmation=require_human_approval)
    session.flush()
    return leave_request_view(session, request)
