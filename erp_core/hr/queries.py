"""HR read services: employee lookup, org chart, headcount, leave balances. Every query is tenant-scoped."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from erp_core.errors import ErrorCode, NexusError, not_found, refused_value
from erp_core.hr.leave import TakenLeave, leave_balance, month_end
from erp_core.hr.models import Employee, LeavePolicy, LeaveRequest
from erp_core.hr.views import (
    HR_ROLE,
    EmployeeView,
    HeadcountRow,
    LeaveBalanceView,
    OrgNode,
    employee_view,
)
from erp_core.identity import Actor

MAX_ORG_DEPTH = 10


def load_employee(session: Session, tenant: str, employee_id: int) -> Employee:
    employee = session.get(Employee, employee_id)
    if employee is None or employee.tenant != tenant:
        raise not_found("employee", employee_id)
    return employee


def employee_for_user(session: Session, tenant: str, user_id: str) -> Employee | None:
    return session.scalar(select(Employee).where(Employee.tenant == tenant, Employee.user_id == user_id))


def get_employee(session: Session, actor: Actor, employee_id: int) -> EmployeeView:
    employee = load_employee(session, actor.tenant, employee_id)
    manager = session.get(Employee, employee.manager_id) if employee.manager_id else None
    return employee_view(employee, actor, manager)


def find_employees(session: Session, actor: Actor, query: str, limit: int = 20) -> list[EmployeeView]:
    """Employees whose name, email, title or number contains ``query`` (case-insensitive)."""
    pattern = f"%{query.strip().lower()}%"
    manager = aliased(Employee)
    stmt = (
        select(Employee, manager)
        .outerjoin(manager, manager.id == Employee.manager_id)
        .where(Employee.tenant == actor.tenant)
        .where(or_(
            func.lower(Employee.first_name + " " + Employee.last_name).like(pattern),
            func.lower(Employee.email).like(pattern),
            func.lower(Employee.title).like(pattern),
            func.lower(Employee.employee_no).like(pattern),
        ))
        .order_by(Employee.last_name, Employee.first_name)
        .limit(limit)
    )
    return [employee_view(emp, actor, mgr) for emp, mgr in session.execute(stmt)]


def org_chart(session: Session, actor: Actor, root_employee_id: int | None = None,
              depth: int = 3) -> list[OrgNode]:
    """The reporting tree under ``root_employee_id`` (or under everyone without a manager), ``depth`` levels deep."""
    depth = max(0, min(depth, MAX_ORG_DEPTH))
    rows = session.execute(
        select(Employee.id, Employee.first_name, Employee.last_name, Employee.title, Employee.department_code,
               Employee.manager_id)
        .where(Employee.tenant == actor.tenant, Employee.termination_date.is_(None))
        .order_by(Employee.last_name, Employee.first_name)
    ).all()
    children: dict[int | None, list[tuple[int, str, str, str]]] = {}
    known: set[int] = set()
    for row in rows:
        known.add(row.id)
        children.setdefault(row.manager_id, []).append(
            (row.id, f"{row.first_name} {row.last_name}", row.title, row.department_code))

    def build(emp: tuple[int, str, str, str], remaining: int) -> OrgNode:
        reports = [build(c, remaining - 1) for c in children.get(emp[0], [])] if remaining > 0 else []
        return OrgNode(id=emp[0], name=emp[1], title=emp[2], department_code=emp[3], reports=reports)

    if root_employee_id is None:
        return [build(top, depth) for top in children.get(None, [])]
    if root_employee_id not in known:
        raise not_found("employee", root_employee_id)
    root = load_employee(session, actor.tenant, root_employee_id)
    return [build((root.id, root.full_name, root.title, root.department_code), depth)]


def reporting_chain(session: Session, actor: Actor, employee_id: int) -> list[EmployeeView]:
    """The employee's managers, nearest first."""
    chain: list[EmployeeView] = []
    current = load_employee(session, actor.tenant, employee_id)
    seen = {current.id}
    while current.manager_id is not None and current.manager_id not in seen:
        manager = load_employee(session, actor.tenant, current.manager_id)
        chain.append(employee_view(manager, actor))
        seen.add(manager.id)
        current = manager
    return chain


def headcount_by_department(session: Session, tenant: str, months: list[tuple[int, int]],
                            department_code: str | None = None) -> list[HeadcountRow]:
    """Employees on the payroll at each month end, per department."""
    rows: list[HeadcountRow] = []
    for year, month in months:
        end = month_end(year, month)
        stmt = (
            select(Employee.department_code, func.count(Employee.id))
            .where(Employee.tenant == tenant, Employee.hire_date <= end)
            .where(or_(Employee.termination_date.is_(None), Employee.termination_date > end))
            .group_by(Employee.department_code)
            .order_by(Employee.department_code)
        )
        if department_code is not None:
            stmt = stmt.where(Employee.department_code == department_code)
        rows.extend(HeadcountRow(month=f"{year:04d}-{month:02d}", department_code=dept, headcount=count)
                    for dept, count in session.execute(stmt))
    return rows


def headcount_at(session: Session, tenant: str, on: dt.date, department_code: str | None = None) -> int:
    stmt = (
        select(func.count(Employee.id))
        .where(Employee.tenant == tenant, Employee.hire_date <= on)
        .where(or_(Employee.termination_date.is_(None), Employee.termination_date > on))
    )
    if department_code is not None:
        stmt = stmt.where(Employee.department_code == department_code)
    return int(session.scalar(stmt) or 0)


def _is_manager_of(session: Session, tenant: str, user_id: str, employee: Employee) -> bool:
    manager_id = employee.manager_id
    seen: set[int] = set()
    while manager_id is not None and manager_id not in seen:
        seen.add(manager_id)
        manager = load_employee(session, tenant, manager_id)
        if manager.user_id == user_id:
            return True
        manager_id = manager.manager_id
    return False


def ensure_can_view_leave(session: Session, actor: Actor, employee: Employee) -> None:
    """Own leave, anyone up the reporting line, and HR may read leave; others get FORBIDDEN."""
    if actor.has_role(HR_ROLE) or employee.user_id == actor.user_id:
        return
    if _is_manager_of(session, actor.tenant, actor.user_id, employee):
        return
    raise NexusError(ErrorCode.FORBIDDEN, "only the employee, their managers and HR may see leave details")


def get_leave_policy(session: Session, tenant: str, leave_type: str) -> LeavePolicy:
    policy = session.scalar(select(LeavePolicy).where(LeavePolicy.tenant == tenant,
                                                      LeavePolicy.leave_type == leave_type))
    if policy is None:
        known = session.scalars(select(LeavePolicy.leave_type).where(LeavePolicy.tenant == tenant)).all()
        raise refused_value(ErrorCode.UNKNOWN_NAME, f"no leave policy for {leave_type!r}", leave_type,
                            candidates=list(known))
    return policy


def leave_balance_for(session: Session, actor: Actor, employee_id: int, as_of: dt.date,
                      leave_type: str = "annual") -> LeaveBalanceView:
    employee = load_employee(session, actor.tenant, employee_id)
    ensure_can_view_leave(session, actor, employee)
    return compute_leave_balance(session, employee, as_of, leave_type)


def compute_leave_balance(session: Session, employee: Employee, as_of: dt.date,
                          leave_type: str = "annual") -> LeaveBalanceView:
    """The balance without permission checks; callers (services) have already authorised the read."""
    policy = get_leave_policy(session, employee.tenant, leave_type)
    taken = [TakenLeave(r.start_date, r.days) for r in session.scalars(
        select(LeaveRequest).where(LeaveRequest.tenant == employee.tenant, LeaveRequest.employee_id == employee.id,
                                   LeaveRequest.leave_type == leave_type,
                                   LeaveRequest.status.in_(("approved", "pending_approval"))))]
    bal = leave_balance(annual_days=policy.annual_days, carry_over_max=policy.carry_over_max_days,
                        hire_date=employee.hire_date, as_of=as_of, taken=taken,
                        termination_date=employee.termination_date)
    return LeaveBalanceView(
        employee_id=employee.id, employee_name=employee.full_name, leave_type=leave_type, year=bal.year,
        entitlement_days=bal.entitlement_days, carried_over=f"{bal.carried_over:f}", accrued=f"{bal.accrued:f}",
        taken=f"{bal.taken:f}", balance=f"{bal.balance:f}",
    )


def month_range(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """(year, month) pairs from ``start``'s month to ``end``'s month inclusive."""
    months: list[tuple[int, int]] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
