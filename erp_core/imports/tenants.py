"""Creating and listing tenants (``nexus tenant create|list``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.approvals import install_default_policies
from erp_core.audit import AuditEvent, append
from erp_core.errors import ErrorCode, Issue, NexusError, validation_error
from erp_core.identity import Actor
from erp_core.money import MoneyError, minor_units
from erp_core.tenancy import Tenant

_TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True, slots=True)
class TenantView:
    id: str
    name: str
    currency: str
    fiscal_year_start: int


def _view(tenant: Tenant) -> TenantView:
    return TenantView(tenant.id, tenant.name, tenant.functional_currency, tenant.fiscal_year_start or 1)


def create_tenant(session: Session, actor: Actor, tenant_id: str, name: str, currency: str,
                  fiscal_year_start: int = 1) -> TenantView:
    """Add a tenant with its functional currency, fiscal-year start and the default approval policy.

    Raises:
        NexusError: VALIDATION_FAILED (every bad field listed), CONFLICT (the id is taken).
    """
    issues: list[Issue] = []
    if not _TENANT_ID.match(tenant_id):
        issues.append(Issue("bad_tenant_id", "a tenant id is 1-64 lowercase letters, digits, '-' or '_', starting "
                                             "with a letter or digit", "id"))
    if not name.strip() or len(name) > 200:
        issues.append(Issue("bad_name", "the name must have 1-200 characters", "name"))
    try:
        minor_units(currency)
    except MoneyError:
        issues.append(Issue("unknown_currency", f"unknown currency {currency!r} (ISO 4217, e.g. USD)", "currency"))
    if not 1 <= fiscal_year_start <= 12:
        issues.append(Issue("bad_month", "the fiscal year starts in a month 1-12", "fiscal_year_start"))
    if issues:
        raise validation_error(issues)
    if session.get(Tenant, tenant_id) is not None:
        raise NexusError(ErrorCode.CONFLICT, f"tenant {tenant_id} already exists")
    tenant = Tenant(id=tenant_id, name=name.strip(), functional_currency=currency,
                    fiscal_year_start=fiscal_year_start)
    session.add(tenant)
    session.flush()
    # A new tenant gets the documented default policy: large entries need a controller from day one.
    install_default_policies(session, tenant_id)
    append(session, tenant_id, AuditEvent(actor.user_id, "tenant.created", "tenant", tenant_id,
                                          {"name": tenant.name, "currency": currency,
                                           "fiscal_year_start": fiscal_year_start}))
    return _view(tenant)


def list_tenants(session: Session) -> list[TenantView]:
    return [_view(t) for t in session.scalars(select(Tenant).order_by(Tenant.id))]


def require_tenant(session: Session, tenant_id: str) -> TenantView:
    """The tenant, or NOT_FOUND naming the known ones (imports never create tenants by accident)."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        known = [t.id for t in list_tenants(session)]
        raise NexusError(ErrorCode.NOT_FOUND, f"tenant {tenant_id} not found; create it with `nexus tenant create`",
                         candidates=known)
    return _view(tenant)
