"""HR tools: people lookup, reporting chain, leave balance, leave requests (proposed) and headcount.

Salary bands appear only for the hr role (``erp_core.hr.views`` decides); leave details only for the employee, their
managers and HR (``erp_core.hr.queries.ensure_can_view_leave``).
"""

from __future__ import annotations

from erp_core.approvals.models import ApprovalRequest
from erp_core.hr.queries import get_employee, headcount_by_department, leave_balance_for
from erp_core.hr.queries import reporting_chain as reporting_chain_of
from erp_core.hr.service import RequestLeave, request_leave
from erp_core.resolve import resolve_period
from erp_core.resolve.days import resolve_day
from erp_core.resolve.departments import resolve_department_name
from erp_core.resolve.domain_queries import HeadcountQuery, LeaveBalanceQuery, LeaveRequestDraft, PersonQuery
from erp_core.resolve.people import resolve_employee
from tools import present_people as present
from tools.context import ToolContext
from tools.output import ToolOutput
from tools.proposals import approval_card
from tools.registry import tool

HEADCOUNT_READERS = ("hr", "cfo", "controller")


@tool("employee_lookup", PersonQuery, examples=(
    "Who is Maria Alvarez?", "What's Tom Becker's job title and department?", "Find the employee record for E00034",
    "Which office does Grace Liu work in?"))
def employee_lookup(ctx: ToolContext, q: PersonQuery) -> ToolOutput:
    """One employee's record: title, department, location, manager and hire date."""
    with ctx.db.read() as session:
        view = get_employee(session, ctx.actor, resolve_employee(session, ctx.actor, q.person).id)
    data = view.model_dump(mode="json", exclude_none=True)
    return ToolOutput(f"{view.name} ({view.employee_no}) is {view.title} in {view.department_code}, "
                      f"{view.location}; manager {view.manager_name or 'none'}", data,
                      presentation=present.employee(view), query={"person": view.employee_no})


@tool("reporting_chain", PersonQuery, examples=(
    "Who is my manager?", "Who does Alice report to?", "Show the management chain above Eve Novak",
    "Who's my skip-level?"))
def reporting_chain(ctx: ToolContext, q: PersonQuery) -> ToolOutput:
    """A person's managers, nearest first, up to the CEO."""
    with ctx.db.read() as session:
        employee = resolve_employee(session, ctx.actor, q.person)
        name, employee_no = employee.full_name, employee.employee_no
        chain = reporting_chain_of(session, ctx.actor, employee.id)
    rows = [{"employee_no": m.employee_no, "name": m.name, "title": m.title} for m in chain]
    path = " → ".join(f"{m.name} ({m.title})" for m in chain) or "no manager on record"
    return ToolOutput(f"{name} reports to: {path}", {"employee": name, "chain": rows},
                      presentation=present.reporting_chain(name, rows), query={"person": employee_no})


@tool("leave_balance", LeaveBalanceQuery, examples=(
    "How many vacation days do I have left?", "What's my annual leave balance?", "How much sick leave has Alice used?",
    "Days off remaining this year"))
def leave_balance(ctx: ToolContext, q: LeaveBalanceQuery) -> ToolOutput:
    """Leave balance (entitlement, carried over, accrued, taken, balance) of yourself or someone you manage."""
    with ctx.db.read() as session:
        employee = resolve_employee(session, ctx.actor, q.person)
        view = leave_balance_for(session, ctx.actor, employee.id, ctx.today, q.leave_type)
    return ToolOutput(f"{view.employee_name}: {view.balance} days of {view.leave_type} leave available as of "
                      f"{ctx.today.isoformat()} ({view.accrued} accrued, {view.carried_over} carried over, "
                      f"{view.taken} taken; {view.entitlement_days} a year)", view.model_dump(mode="json"),
                      presentation=present.leave_balance(view, ctx.today),
                      query={"person": view.employee_name, "leave_type": view.leave_type})


@tool("propose_leave_request", LeaveRequestDraft, proposes=True, examples=(
    "Book me off from December 21 to January 2", "I need annual leave next Monday to Wednesday",
    "Request a sick day for tomorrow", "Put in a vacation request for 2026-12-28 through 2026-12-31"))
def propose_leave_request(ctx: ToolContext, draft: LeaveRequestDraft) -> ToolOutput:
    """Prepare a leave request for yourself; you confirm it and your manager approves it before it counts."""
    start = resolve_day(draft.start_date, ctx.today)
    end = resolve_day(draft.end_date, start) if draft.end_date else start
    cmd = RequestLeave(start_date=start, end_date=end, leave_type=draft.leave_type, reason=draft.reason)
    with ctx.db.unit_of_work() as session:
        view = request_leave(cmd, ctx.actor, session, require_human_approval=True)
        request = session.get(ApprovalRequest, view.approval_id) if view.approval_id else None
        what = (f"{view.leave_type} leave {view.start_date.isoformat()} to {view.end_date.isoformat()} "
                f"({view.days} days)")
        draft_card = {"leave_request_id": view.id, "leave_type": view.leave_type,
                      "start_date": view.start_date.isoformat(), "end_date": view.end_date.isoformat(),
                      "days": view.days, "summary": f"leave request: {what}"}
        leave = [{"leave_type": view.leave_type, "days": view.days, "manager": view.approver_user_id}]
        card = approval_card(session, request, draft_card, {"leave": leave}) if request else None
    if card is None:
        return ToolOutput(f"Leave request {view.id} for {what} is {view.status}", {"leave_request": draft_card})
    return ToolOutput(
        f"Leave request {view.id} for {what} is prepared and waits for {', '.join(card.approvers)} "
        f"(approval {card.approval_id}); nothing is booked until then",
        {"leave_request": draft_card, "approval_id": card.approval_id}, approval=card)


@tool("headcount", HeadcountQuery, roles=HEADCOUNT_READERS, examples=(
    "How many people work in engineering?", "Headcount by department", "How many employees did we have at the end "
    "of Q3?", "What's the size of the sales team?"))
def headcount(ctx: ToolContext, q: HeadcountQuery) -> ToolOutput:
    """Employees on the payroll at the end of a period, per department."""
    end = resolve_period(q.period or "this month", ctx.today).end
    with ctx.db.read() as session:
        dept = resolve_department_name(session, ctx.actor.tenant, q.department).code if q.department else None
        rows = headcount_by_department(session, ctx.actor.tenant, [(end.year, end.month)], dept)
    total = sum(r.headcount for r in rows)
    scope = dept or "the company"
    return ToolOutput(f"Headcount of {scope} at the end of {end:%Y-%m}: {total} "
                      f"({', '.join(f'{r.department_code} {r.headcount}' for r in rows)})",
                      {"month": f"{end:%Y-%m}", "department": dept, "total": total,
                       "by_department": {r.department_code: r.headcount for r in rows}},
                      presentation=present.headcount(end, {r.department_code: r.headcount for r in rows}, dept),
                      query={"month": f"{end:%Y-%m}", "department": dept})

