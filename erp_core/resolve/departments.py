"""Departments as people say them ("engineering", "ENG", "the people team") → the tenant's department."""

from __future__ import annotations

from sqlalchemy.orm import Session

from erp_core.directory import DepartmentView, list_departments
from erp_core.resolve.names import match_name

# Everyday words for the demo departments (docs/demo-company.md); codes and names match on their own.
ALIASES: dict[str, tuple[str, ...]] = {
    "EXEC": ("executive", "executives", "leadership", "management team", "c-suite", "exec team"),
    "FIN": ("finance", "accounting", "finance team", "accounts"),
    "SALES": ("sales team", "sales org", "sellers"),
    "MKT": ("marketing", "marketing team"),
    "ENG": ("engineering", "engineers", "r&d", "development", "dev", "tech", "product engineering"),
    "OPS": ("operations", "ops", "manufacturing", "production"),
    "HR": ("people", "human resources", "people team", "people ops"),
    "IT": ("information technology", "it department", "helpdesk"),
}


def resolve_department_name(session: Session, tenant: str, text: str) -> DepartmentView:
    """The department ``text`` names: code, name, everyday alias or a close spelling.

    Raises:
        NexusError: UNKNOWN_NAME / AMBIGUOUS_NAME with candidates ("ENG Engineering").
    """
    departments = {d.code: d for d in list_departments(session, tenant, active_only=False)}
    records = [(d.code, d.name, ALIASES.get(d.code, ())) for d in departments.values()]
    return departments[match_name(text.removesuffix(" department").removesuffix(" dept"), records,
                                  what="department").ident]
