"""Departments and users of a tenant: the directory every other domain refers to by code or user id.

Users here are the people who log in (the demo users and every employee with an account). Roles are stored as a
comma-separated string because they travel that way in tokens and ``Actor.of``; the identity layer still decides who
is authenticated, this table only says which roles a known user holds and which employee they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from erp_core.db import Base
from erp_core.errors import ErrorCode, not_found, refused_value


class Department(Base):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("tenant", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)


class DirectoryUser(Base):
    __tablename__ = "directory_users"
    __table_args__ = (UniqueConstraint("tenant", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(160))
    display_name: Mapped[str] = mapped_column(String(160))
    roles: Mapped[str] = mapped_column(String(400), default="employee")
    department_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("hr_employees.id"), nullable=True)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in (part.strip() for part in self.roles.split(",")) if r)


@dataclass(frozen=True, slots=True)
class DepartmentView:
    code: str
    name: str
    active: bool


def list_departments(session: Session, tenant: str, *, active_only: bool = True) -> list[DepartmentView]:
    stmt = select(Department).where(Department.tenant == tenant).order_by(Department.code)
    if active_only:
        stmt = stmt.where(Department.active.is_(True))
    return [DepartmentView(d.code, d.name, d.active) for d in session.scalars(stmt)]


def resolve_department(session: Session, tenant: str, code_or_name: str) -> DepartmentView:
    """Find a department by code or (case-insensitive) name; unknown names list the candidates."""
    wanted = code_or_name.strip().lower()
    departments = list_departments(session, tenant, active_only=False)
    for dept in departments:
        if dept.code.lower() == wanted or dept.name.lower() == wanted:
            return dept
    raise refused_value(ErrorCode.UNKNOWN_NAME, f"unknown department {code_or_name!r}", code_or_name,
                        candidates=[f"{d.code} ({d.name})" for d in departments])


def get_user(session: Session, tenant: str, user_id: str) -> DirectoryUser:
    user = session.scalar(select(DirectoryUser).where(DirectoryUser.tenant == tenant,
                                                      DirectoryUser.user_id == user_id))
    if user is None:
        raise not_found("user", user_id)
    return user


def users_with_role(session: Session, tenant: str, role: str) -> list[str]:
    """User ids holding ``role``, sorted; used to name who can act on an approval."""
    users = session.scalars(select(DirectoryUser).where(DirectoryUser.tenant == tenant))
    return sorted(u.user_id for u in users if role in u.role_set)
