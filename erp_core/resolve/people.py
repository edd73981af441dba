"""People as they are named in a request → the tenant's employee.

Accepted forms: "me" / "my" / "myself" (the actor), "my manager", "Alice's manager" / "manager of Alice", employee
numbers ("E00012"), login ids and e-mails ("maria@acme", "maria@acme.example"), full names ("Maria Alvarez"), first or
last names when only one employee carries them ("Maria"), and fuzzy spellings of full names.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.errors import ErrorCode, NexusError, refused_value
from erp_core.hr.models import Employee
from erp_core.identity import Actor
from erp_core.resolve.names import match_name

SELF_WORDS = frozenset({"me", "my", "myself", "i", "mine", "self", "own", "my own"})
_MANAGER_OF = (re.compile(r"^(?:the\s+)?(?:manager|boss|supervisor)\s+of\s+(.+)$"),
               re.compile(r"^(.+?)(?:'s|s'|’s)\s+(?:manager|boss|supervisor)$"))


def _label(employee: Employee) -> str:
    return f"{employee.employee_no} {employee.full_name} ({employee.title})"


def employee_of_actor(session: Session, actor: Actor) -> Employee:
    """The actor's own employee record; a login without one gets NOT_FOUND."""
    employee = session.scalar(select(Employee).where(Employee.tenant == actor.tenant,
                                                     Employee.user_id == actor.user_id))
    if employee is None:
        raise NexusError(ErrorCode.NOT_FOUND, f"no employee record for user {actor.user_id}")
    return employee


def manager_of(session: Session, employee: Employee) -> Employee:
    manager = session.get(Employee, employee.manager_id) if employee.manager_id is not None else None
    if manager is None or manager.tenant != employee.tenant:
        raise NexusError(ErrorCode.NOT_FOUND, f"{employee.full_name} has no manager on record")
    return manager


def resolve_employee(session: Session, actor: Actor, text: str | None) -> Employee:
    """The employee ``text`` names, within the actor's tenant (empty text: the actor).

    Raises:
        NexusError: UNKNOWN_NAME / AMBIGUOUS_NAME with candidates ("E00003 Maria Alvarez (VP Sales)"), NOT_FOUND when
            "me" has no employee record or a manager is asked for someone without one.
    """
    said = " ".join((text or "").strip().lower().split())
    if not said or said in SELF_WORDS:
        return employee_of_actor(session, actor)
    if said in ("my manager", "my boss", "my supervisor", "manager", "boss", "my line manager"):
        return manager_of(session, employee_of_actor(session, actor))
    for pattern in _MANAGER_OF:
        if m := pattern.match(said):
            return manager_of(session, resolve_employee(session, actor, m.group(1)))
    return _by_name(session, actor.tenant, said, text or "")


def _by_name(session: Session, tenant: str, said: str, original: str) -> Employee:
    people = list(session.scalars(select(Employee).where(Employee.tenant == tenant)
                                  .order_by(Employee.termination_date.is_not(None), Employee.employee_no)))
    exact = [e for e in people if said in _exact_keys(e)]
    if len(exact) == 1:
        return exact[0]
    if not exact:
        # A first or last name alone is fine while only one person carries it.
        exact = [e for e in people if said in (e.first_name.lower(), e.last_name.lower())]
        if len(exact) == 1:
            return exact[0]
    if len(exact) > 1:
        raise refused_value(ErrorCode.AMBIGUOUS_NAME, f"{original.strip()!r} could be several employees",
                            original.strip(), candidates=[_label(e) for e in exact[:5]])
    by_no = {e.employee_no: e for e in people}
    try:
        match = match_name(said, [(e.employee_no, e.full_name) for e in people], what="employee")
    except NexusError as err:
        typo = _misspelt(said, people) if err.code is ErrorCode.UNKNOWN_NAME else None
        if typo is None:
            raise
        return typo
    return by_no[match.ident]


def _misspelt(said: str, people: list[Employee]) -> Employee | None:
    """The one person whose name matches every word said up to a typo ("Maria Alvares", "Diane Whitfeld").

    The shared matcher weighs whole words, so a one-letter slip in a surname sinks it; names are where such slips
    happen, so people get this word-by-word second look (each word ≥ 0.8 similar, a clear winner) before giving up.
    """
    words = said.replace(".", " ").split()
    scored: list[tuple[float, Employee]] = []
    for person in people:
        names = person.full_name.lower().split()
        ratios = [max(SequenceMatcher(None, w, n).ratio() for n in names) for w in words]
        if ratios and min(ratios) >= 0.8:
            scored.append((sum(ratios) / len(ratios), person))
    scored.sort(key=lambda item: item[0], reverse=True)
    if not scored or (len(scored) > 1 and scored[0][0] - scored[1][0] < 0.05):
        return None
    return scored[0][1]


def _exact_keys(employee: Employee) -> set[str]:
    keys = {employee.employee_no.lower(), employee.full_name.lower(), employee.email.lower(), str(employee.id)}
    if employee.user_id:
        keys |= {employee.user_id.lower(), employee.user_id.split("@", 1)[0].lower()}
    keys.add(employee.email.split("@", 1)[0].lower())
    return keys
