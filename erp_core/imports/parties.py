"""``nexus import customers|vendors FILE.csv``.

Customers: ``code,name`` and optionally ``payment_terms_days,currency,industry,country,segment,owner``. Each becomes an
AR customer and the CRM account of the same code (what the assistant resolves customer names against); ``owner`` is
the user id of the account owner (default: the importing user).
Vendors: ``code,name`` and optionally ``payment_terms_days,currency``.

A code already on file with the same values is left alone; with other values it is updated (master data changes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.apar.commands import CreateParty
from erp_core.apar.models import Customer, Vendor
from erp_core.apar.services import create_party
from erp_core.audit import AuditEvent, append
from erp_core.crm.models import CrmAccount
from erp_core.errors import Issue, validation_error
from erp_core.identity import Actor
from erp_core.imports.csvfile import Row, issue, read_rows

PARTY_COLUMNS = ("code", "name")
CUSTOMER_OPTIONAL = ("payment_terms_days", "currency", "industry", "country", "segment", "owner")
VENDOR_OPTIONAL = ("payment_terms_days", "currency")
SEGMENTS = ("enterprise", "mid_market", "smb")


@dataclass(frozen=True, slots=True)
class MasterDataSummary:
    kind: str
    created: int
    updated: int
    unchanged: int

    def text(self) -> str:
        return f"{self.kind}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _party_commands(rows: list[Row], issues: list[Issue]) -> list[tuple[Row, CreateParty]]:
    seen: dict[str, str] = {}
    out = []
    for row in rows:
        code = row.get("code")
        if code in seen:
            issues.append(issue("duplicate_code", f"code {code} is already used at {seen[code]}", row.where))
            continue
        terms = row.get("payment_terms_days")
        try:
            cmd = CreateParty(code=code, name=row.get("name"), payment_terms_days=int(terms) if terms else None,
                              currency=row.get("currency").upper() or None)
        except ValueError as exc:
            errors = exc.errors() if isinstance(exc, ValidationError) else [{"loc": ("payment_terms_days",),
                                                                              "msg": "not a whole number"}]
            issues.extend(issue("bad_field", f"{'.'.join(map(str, e['loc']))}: {e['msg']}", row.where)
                          for e in errors)
            continue
        if row.values.get("segment") is not None and row.get("segment") and row.get("segment") not in SEGMENTS:
            issues.append(issue("bad_segment", f"segment must be one of {', '.join(SEGMENTS)}", row.where))
            continue
        if len(row.get("industry")) > 80 or len(row.get("owner")) > 160:
            issues.append(issue("too_long", "industry has at most 80 characters, owner 160", row.where))
            continue
        if len(row.get("country")) > 2:
            issues.append(issue("bad_country", "country is a two-letter code, e.g. US", row.where))
            continue
        seen[code] = row.where
        out.append((row, cmd))
    return out


def import_parties(kind: Literal["customer", "vendor"], path: Path, actor: Actor,
                   session: Session) -> MasterDataSummary:
    """Create or update the customers or vendors of ``path`` (roles: accountant, controller, cfo), all or nothing."""
    rows = read_rows(path, PARTY_COLUMNS, CUSTOMER_OPTIONAL if kind == "customer" else VENDOR_OPTIONAL)
    issues: list[Issue] = []
    commands = _party_commands(rows, issues)
    if issues:
        raise validation_error(issues, f"{len(issues)} problems in {path}; nothing was imported")
    existing: dict[str, Customer | Vendor] = {}
    if kind == "customer":
        existing.update((p.code, p) for p in session.scalars(select(Customer).where(Customer.tenant == actor.tenant)))
    else:
        existing.update((p.code, p) for p in session.scalars(select(Vendor).where(Vendor.tenant == actor.tenant)))
    crm = {a.code: a for a in session.scalars(select(CrmAccount).where(CrmAccount.tenant == actor.tenant))} \
        if kind == "customer" else {}
    created = updated = 0
    for row, cmd in commands:
        party = existing.get(cmd.code)
        if party is None:
            create_party(kind, cmd, actor, session)
            created += 1
        else:
            changes = {"name": cmd.name}
            if cmd.payment_terms_days is not None:
                changes["payment_terms_days"] = cmd.payment_terms_days  # type: ignore[assignment]
            changed = {k: v for k, v in changes.items() if getattr(party, k) != v}
            if changed:
                for k, v in changed.items():
                    setattr(party, k, v)
                append(session, actor.tenant, AuditEvent(actor.user_id, f"{kind}.updated", kind, cmd.code,
                                                         {"changes": changed, "source": "import"}))
                updated += 1
        if kind == "customer":
            _crm_account(session, actor, crm.get(cmd.code), row, cmd)
    session.flush()
    return MasterDataSummary(f"{kind}s", created, updated, len(commands) - created - updated)


def _crm_account(session: Session, actor: Actor, account: CrmAccount | None, row: Row, cmd: CreateParty) -> None:
    """The CRM account of a customer: same code and name, so one name serves CRM, pipeline and receivables."""
    values = {"name": cmd.name, "industry": row.get("industry") or "Unspecified",
              "country": row.get("country").upper(), "segment": row.get("segment") or "smb",
              "owner_user_id": row.get("owner") or actor.user_id}
    if account is None:
        session.add(CrmAccount(tenant=actor.tenant, code=cmd.code, created_at=dt.datetime.now(dt.UTC), **values))
        return
    for key, value in values.items():
        if row.get(key if key != "owner_user_id" else "owner") or key == "name":
            setattr(account, key, value)
