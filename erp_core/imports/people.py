"""``nexus import employees FILE.csv``: people, their departments and who reports to whom.

Columns: ``employee_no,first_name,last_name,department,manager`` and optionally
``email,user_id,title,location,hire_date,termination_date,level,salary_band,roles,department_name``.
``manager`` names the manager (in the file or already on record; empty for the top of the org chart) by
``employee_no``, e-mail or full name. ``department`` is a department code or name; a new one is created (code from it,
named ``department_name`` or as written). ``level`` defaults to
the depth in the org chart (1 = top). Each employee gets a directory user (``user_id``, default
``first.last@<tenant>``) with ``roles`` (default ``employee``). An employee number already on record is updated.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append
from erp_core.directory import Department, DirectoryUser
from erp_core.errors import Issue, validation_error
from erp_core.hr.models import Employee
from erp_core.identity import Actor
from erp_core.imports.csvfile import Row, issue, read_rows
from erp_core.imports.parties import MasterDataSummary

REQUIRED = ("employee_no", "first_name", "last_name", "department", "manager")
OPTIONAL = ("email", "user_id", "title", "location", "hire_date", "termination_date", "level", "salary_band", "roles",
            "department_name")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_BAND = re.compile(r"^[A-Z][0-9]{1,2}$")
_DEPT_CODE = re.compile(r"[^A-Z0-9]+")


@dataclass
class _Person:
    row: Row
    values: dict[str, object]
    manager_no: str | None
    level: int | None
    roles: str
    department_name: str


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _date(row: Row, column: str, problems: list[Issue]) -> dt.date | None:
    text = row.get(column)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(issue("bad_date", f"{column} {text!r} is not YYYY-MM-DD", row.where))
        return None


def _person(row: Row, tenant: str, problems: list[Issue]) -> _Person | None:
    number, first, last = row.get("employee_no"), row.get("first_name"), row.get("last_name")
    dept = _DEPT_CODE.sub("_", row.get("department").upper()).strip("_")[:16]
    found: list[Issue] = []
    for column, value, limit in (("employee_no", number, 16), ("first_name", first, 80), ("last_name", last, 80),
                                 ("department", dept, 16)):
        if not value or len(value) > limit:
            found.append(issue("bad_field", f"{column} must have 1-{limit} characters", row.where))
    for column, limit in (("email", 160), ("user_id", 160), ("title", 120), ("location", 80), ("roles", 400),
                          ("department_name", 120)):
        if len(row.get(column)) > limit:
            found.append(issue("too_long", f"{column} is longer than {limit} characters", row.where))
    email = row.get("email") or f"{_ascii(first)}.{_ascii(last)}@{tenant}.example"
    if not _EMAIL.match(email):
        found.append(issue("bad_email", f"email {email!r} is not an address", row.where))
    level = None
    if row.get("level"):
        try:
            level = int(row.get("level"))
        except ValueError:
            found.append(issue("bad_level", "level is a whole number 1-10", row.where))
    band = row.get("salary_band")
    if band and not _BAND.match(band):
        found.append(issue("bad_band", "salary_band looks like B4", row.where))
    hired = _date(row, "hire_date", found)
    left = _date(row, "termination_date", found)
    if found:
        problems.extend(found)
        return None
    user_id = row.get("user_id") or f"{_ascii(first)}.{_ascii(last)}@{tenant}"
    values: dict[str, object] = {
        "employee_no": number, "first_name": first, "last_name": last, "email": email, "user_id": user_id,
        "title": row.get("title") or "Employee", "department_code": dept, "location": row.get("location") or "",
        "hire_date": hired or dt.date.today(), "termination_date": left, "salary_band": band or ""}
    return _Person(row, values, row.get("manager") or None, level, row.get("roles") or "employee",
                   row.get("department_name") or row.get("department"))


def _levels(people: dict[str, _Person], on_record: dict[str, Employee], issues: list[Issue]) -> dict[str, int]:
    """Depth in the org chart per employee_no; reports unknown managers and reporting cycles."""
    depth: dict[str, int] = {}
    for number, person in people.items():
        chain: list[str] = []
        current: str | None = number
        while current is not None and current not in depth:
            if current in chain:
                issues.append(issue("manager_cycle", f"{number} reports to themselves through "
                                                     f"{' -> '.join([*chain, current])}", person.row.where))
                break
            chain.append(current)
            if current in people:
                current = people[current].manager_no
            elif current in on_record:
                depth[current] = on_record[current].level
                break
            else:
                issues.append(issue("unknown_manager", f"manager {current} of {chain[-2] if len(chain) > 1 else number}"
                                                       " is neither in the file nor on record", person.row.where))
                break
        base = depth.get(current, 0) if current is not None else 0
        for offset, member in enumerate(reversed(chain), start=1):
            if member in people:
                depth.setdefault(member, base + offset)
    return depth


def _resolve_managers(people: dict[str, _Person], on_record: dict[str, Employee]) -> None:
    """Turn each ``manager`` reference (employee_no, e-mail or full name) into an employee_no; an unknown reference
    stays as written and is reported by ``_levels``."""
    keys: dict[str, str] = {}
    candidates = [(number, str(p.values["email"]), f"{p.values['first_name']} {p.values['last_name']}")
                  for number, p in people.items()]
    candidates += [(e.employee_no, e.email, e.full_name) for e in on_record.values()]
    for number, email, name in candidates:
        for key in (email.lower(), " ".join(name.lower().split())):
            keys.setdefault(key, number)
    for person in people.values():
        ref = person.manager_no
        if ref and ref not in people and ref not in on_record:
            person.manager_no = keys.get(" ".join(ref.lower().split()), ref)


def import_employees(path: Path, actor: Actor, session: Session) -> MasterDataSummary:
    """Create or update the employees of ``path`` with their managers, departments and directory users."""
    rows = read_rows(path, REQUIRED, OPTIONAL)
    tenant = actor.tenant
    issues: list[Issue] = []
    people: dict[str, _Person] = {}
    for row in rows:
        person = _person(row, tenant, issues)
        if person is None:
            continue
        number = str(person.values["employee_no"])
        if number in people:
            issues.append(issue("duplicate_employee", f"employee {number} is already at {people[number].row.where}",
                                row.where))
            continue
        people[number] = person
    on_record = {e.employee_no: e for e in session.scalars(select(Employee).where(Employee.tenant == tenant))}
    _resolve_managers(people, on_record)
    levels = _levels(people, on_record, issues)
    if issues:
        raise validation_error(issues, f"{len(issues)} problems in {path}; nothing was imported")
    known = list(session.scalars(select(Department).where(Department.tenant == tenant)))
    by_name = {d.name.lower(): d.code for d in known}
    departments = {d.code for d in known}
    for person in people.values():
        code = str(person.values["department_code"])
        if code not in departments and person.department_name.lower() in by_name:
            code = person.values["department_code"] = by_name[person.department_name.lower()]
        if code not in departments:
            session.add(Department(tenant=tenant, code=code, name=person.department_name, active=True))
            departments.add(code)
    session.flush()
    created = updated = 0
    # Managers first, so each employee's manager has an id when the employee is written.
    for number in sorted(people, key=lambda n: levels.get(n, 1)):
        person = people[number]
        manager = on_record.get(person.manager_no) if person.manager_no else None
        values = person.values | {"level": person.level or levels.get(number, 1),
                                  "manager_id": manager.id if manager else None}
        employee = on_record.get(number)
        if employee is None:
            employee = Employee(tenant=tenant, **values)
            session.add(employee)
            session.flush()
            on_record[number] = employee
            created += 1
            action = "employee.imported"
        else:
            changed = {k: v for k, v in values.items() if getattr(employee, k) != v}
            if not changed:
                _directory_user(session, tenant, employee, person.roles)
                continue
            for key, value in changed.items():
                setattr(employee, key, value)
            updated += 1
            action = "employee.updated"
        _directory_user(session, tenant, employee, person.roles)
        append(session, tenant, AuditEvent(actor.user_id, action, "employee", number,
                                           {"name": employee.full_name, "department": employee.department_code,
                                            "manager": person.manager_no, "source": "import"}))
    session.flush()
    return MasterDataSummary("employees", created, updated, len(people) - created - updated)


def _directory_user(session: Session, tenant: str, employee: Employee, roles: str) -> None:
    assert employee.user_id is not None
    user = session.scalar(select(DirectoryUser).where(DirectoryUser.tenant == tenant,
                                                      DirectoryUser.user_id == employee.user_id))
    if user is None:
        session.add(DirectoryUser(tenant=tenant, user_id=employee.user_id, display_name=employee.full_name,
                                  roles=roles, department_code=employee.department_code, employee_id=employee.id))
        return
    user.display_name, user.department_code, user.employee_id = employee.full_name, employee.department_code, \
        employee.id
    user.roles = roles
