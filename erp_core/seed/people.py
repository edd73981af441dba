"""Departments, employees (five reporting levels, demo users in fixed seats), directory users, leave policies."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

from sqlalchemy.orm import Session

from erp_core.directory import Department, DirectoryUser
from erp_core.hr.models import Employee, LeavePolicy
from erp_core.seed.facts import DEMO_USER_NAMES, DEMO_USERS, DEPARTMENTS, LEADERS, TenantFacts
from erp_core.seed.names import person

SHARES = {"ENG": 0.30, "SALES": 0.20, "OPS": 0.18, "MKT": 0.08, "FIN": 0.08, "IT": 0.07, "HR": 0.06}
TITLES = {
    "ENG": ("Director of Engineering", "Engineering Manager",
            ("Software Engineer", "Senior Software Engineer", "QA Engineer", "DevOps Engineer")),
    "SALES": ("Sales Director", "Sales Manager", ("Account Executive", "Sales Development Rep",
                                                  "Solutions Consultant")),
    "OPS": ("Director of Operations", "Operations Manager", ("Production Technician", "Logistics Coordinator",
                                                              "Field Service Engineer", "Buyer")),
    "MKT": ("Marketing Director", "Marketing Manager", ("Marketing Specialist", "Content Writer", "Designer")),
    "FIN": ("Finance Director", "Accounting Manager", ("Staff Accountant", "AP Specialist", "Financial Analyst")),
    "IT": ("IT Director", "IT Manager", ("Systems Administrator", "Support Engineer")),
    "HR": ("HR Director", "HR Manager", ("Recruiter", "HR Generalist")),
}
BANDS = {1: "B9", 2: "B8", 3: "B7", 4: "B5", 5: "B3"}
#: monthly gross salary per band in the tenant's currency (payroll in the GL is the sum over active employees)
BAND_SALARY = {"B1": 5500, "B2": 6500, "B3": 7800, "B4": 9500, "B5": 11500, "B6": 14000, "B7": 17000, "B8": 22000,
               "B9": 30000}
LOCATIONS = {"acme": ("San Jose", "San Jose", "Austin", "Boston", "Remote"),
             "globex": ("Berlin", "Berlin", "Munich", "Hamburg", "Remote")}


@dataclass
class Seat:
    level: int
    department: str
    title: str
    manager: Seat | None
    demo_user: str | None = None
    name: tuple[str, str] | None = None
    employee: Employee | None = None


def _ascii(text: str) -> str:
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def org_seats(tenant: TenantFacts, total: int, rng: random.Random) -> list[Seat]:
    """The reporting structure: CEO → department heads → directors → managers → individual contributors."""
    ceo = Seat(1, "EXEC", "Chief Executive Officer", None, name=LEADERS[tenant.id]["CEO"][:2])  # type: ignore[arg-type]
    seats = [ceo, Seat(5, "EXEC", "Executive Assistant", ceo)]
    for dept, share in SHARES.items():
        count = max(6, round(total * share))
        director_title, manager_title, ic_titles = TITLES[dept]
        if dept == "FIN":
            head = Seat(2, dept, "Chief Financial Officer", ceo, demo_user="frank")
        elif dept == "SALES":
            head = Seat(2, dept, "VP Sales", ceo, demo_user="maria")
        else:
            first, last, title = LEADERS[tenant.id][dept]
            head = Seat(2, dept, title, ceo, name=(first, last))
        seats.append(head)
        remaining = count - 1
        directors = [Seat(3, dept, director_title, head) for _ in range(max(1, remaining // 25))]
        managers_needed = max(1, (remaining - len(directors)) // 7)
        managers = [Seat(4, dept, manager_title, directors[i % len(directors)]) for i in range(managers_needed)]
        ics = [Seat(5, dept, rng.choice(ic_titles), managers[i % len(managers)])
               for i in range(remaining - len(directors) - len(managers))]
        if dept == "FIN":
            directors[0].title, directors[0].demo_user = "Financial Controller", "carol"
            managers[0].title, managers[0].demo_user, managers[0].manager = "Senior Accountant", "alice", directors[0]
        elif dept == "SALES":
            ics[0].title, ics[0].demo_user = "Account Executive", "sam"
        elif dept == "HR":
            directors[0].title, directors[0].demo_user = "HR Business Partner", "hana"
        elif dept == "ENG":
            ics[0].title, ics[0].demo_user = "Software Engineer", "eve"
        elif dept == "IT":
            directors[0].title, directors[0].demo_user = "IT administrator", "root"
        seats += directors + managers + ics
    return seats


def seed_departments(session: Session, tenant: str) -> None:
    session.add_all(Department(tenant=tenant, code=code, name=name, active=True) for code, name in DEPARTMENTS)
    session.flush()


def seed_people(session: Session, tenant: TenantFacts, total: int, rng: random.Random, history_start: dt.date,
                as_of: dt.date) -> list[Employee]:
    """Create employees level by level (so managers exist first), their directory users and leave policies."""
    german = tenant.id == "globex"
    seats = org_seats(tenant, total, rng)
    roles_of = {user: roles for user, roles, _title, _dept in DEMO_USERS}
    used_ids: set[str] = set()
    employees: list[Employee] = []
    window_days = (as_of - history_start).days
    for level in range(1, 6):
        for seat in (s for s in seats if s.level == level):
            if seat.demo_user:
                first, last = DEMO_USER_NAMES[seat.demo_user]
                user_id = f"{seat.demo_user}@{tenant.id}"
            else:
                first, last = seat.name or person(rng, german)
                base = f"{_ascii(first)}.{_ascii(last)}"
                user_id, n = f"{base}@{tenant.id}", 2
                while user_id in used_ids:
                    user_id, n = f"{base}{n}@{tenant.id}", n + 1
            used_ids.add(user_id)
            if level <= 2 or seat.demo_user:
                hired = dt.date(rng.randint(2012, 2021), rng.randint(1, 12), 1)
            elif rng.random() < 0.15:  # recent hires: headcount grows through the history window
                hired = history_start + dt.timedelta(days=rng.randint(0, window_days - 1))
            else:
                hired = dt.date(rng.randint(2014, 2024), rng.randint(1, 12), rng.randint(1, 28))
                hired = min(hired, history_start)
            left = None
            if level == 5 and not seat.demo_user and rng.random() < 0.06:
                earliest = max(hired, history_start) + dt.timedelta(days=60)
                if earliest < as_of:
                    left = earliest + dt.timedelta(days=rng.randint(0, max(0, (as_of - earliest).days - 1)))
            band = BANDS[level] if level != 5 else rng.choice(("B1", "B2", "B3", "B4"))
            manager = seat.manager.employee if seat.manager else None
            employee = Employee(
                tenant=tenant.id, employee_no=f"E{len(employees) + 1:05d}", first_name=first, last_name=last,
                email=f"{user_id.split('@')[0]}@{tenant.email_domain}", user_id=user_id, title=seat.title,
                department_code=seat.department, location=rng.choice(LOCATIONS[tenant.id]), level=level,
                manager_id=manager.id if manager else None, hire_date=hired, termination_date=left,
                salary_band=band)
            seat.employee = employee
            employees.append(employee)
        session.add_all(s.employee for s in seats if s.level == level)
        session.flush()
    for seat in seats:
        emp = seat.employee
        assert emp is not None and emp.user_id is not None
        roles = ["employee"]
        if seat.demo_user:
            roles.insert(0, roles_of[seat.demo_user])
        elif seat.department == "SALES" and seat.level == 5 and seat.title == "Account Executive":
            roles.insert(0, "sales_rep")
        elif seat.department == "SALES" and seat.level in (3, 4):
            roles.insert(0, "sales_manager")
        session.add(DirectoryUser(tenant=tenant.id, user_id=emp.user_id, display_name=emp.full_name,
                                  roles=",".join(roles), department_code=emp.department_code, employee_id=emp.id))
    session.add_all([
        LeavePolicy(tenant=tenant.id, leave_type="annual", annual_days=tenant.annual_leave_days,
                    carry_over_max_days=5, accrual="monthly"),
        LeavePolicy(tenant=tenant.id, leave_type="sick", annual_days=30, carry_over_max_days=0, accrual="monthly"),
        LeavePolicy(tenant=tenant.id, leave_type="unpaid", annual_days=60, carry_over_max_days=0, accrual="monthly"),
    ])
    session.flush()
    return employees


def monthly_payroll(employees: list[Employee], month_end: dt.date, fx: float) -> dict[str, int]:
    """Gross salaries per department (whole currency units) of employees on the payroll at ``month_end``."""
    totals: dict[str, int] = {}
    for emp in employees:
        if emp.hire_date <= month_end and (emp.termination_date is None or emp.termination_date > month_end):
            totals[emp.department_code] = totals.get(emp.department_code, 0) + round(
                BAND_SALARY[emp.salary_band] * fx)
    return totals
