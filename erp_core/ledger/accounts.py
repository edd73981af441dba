"""Chart of accounts services."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append
from erp_core.errors import ErrorCode, Issue, NexusError, not_found, validation_error
from erp_core.identity import Actor
from erp_core.ledger.commands import CreateAccount, SetAccountActive
from erp_core.ledger.models import Account
from erp_core.ledger.roles import ACCOUNT_ADMINS, ACCOUNT_READERS
from erp_core.money import MoneyError, minor_units
from erp_core.tenancy import functional_currency, require_role


def get_account(session: Session, tenant: str, code: str) -> Account:
    account = session.scalars(select(Account).where(Account.tenant == tenant, Account.code == code)).first()
    if account is None:
        raise not_found("account", code)
    return account


def create_account(cmd: CreateAccount, actor: Actor, session: Session) -> Account:
    """Add an account (roles: admin, controller). The parent must be a header account of the same tenant and type."""
    require_role(actor, ACCOUNT_ADMINS, "creating accounts")
    issues: list[Issue] = []
    currency = cmd.currency or functional_currency(session, actor.tenant)
    try:
        minor_units(currency)
    except MoneyError:
        issues.append(Issue("unknown_currency", f"unknown currency {currency}", "currency"))
    parent = None
    if cmd.parent_code is not None:
        parent = session.scalars(select(Account).where(Account.tenant == actor.tenant,
                                                       Account.code == cmd.parent_code)).first()
        if parent is None:
            issues.append(Issue("unknown_account", f"parent account {cmd.parent_code} does not exist", "parent_code"))
        elif parent.postable:
            issues.append(Issue("parent_postable", f"parent {parent.code} is postable; parents must be headers",
                                "parent_code"))
        elif parent.type != cmd.type.value:
            issues.append(Issue("parent_type_mismatch", f"parent {parent.code} is {parent.type}, not "
                                f"{cmd.type.value}", "parent_code"))
    if issues:
        raise validation_error(issues)
    account = Account(tenant=actor.tenant, code=cmd.code, name=cmd.name, type=cmd.type.value,
                      parent_id=parent.id if parent else None, postable=cmd.postable, active=True, currency=currency)
    try:
        with session.begin_nested():
            session.add(account)
            session.flush()
    except IntegrityError:
        raise NexusError(ErrorCode.CONFLICT, f"account {cmd.code} already exists") from None
    append(session, actor.tenant, AuditEvent(actor.user_id, "account.created", "account", cmd.code,
                                             cmd.model_dump(mode="json") | {"currency": currency}))
    return account


def set_account_active(cmd: SetAccountActive, actor: Actor, session: Session) -> Account:
    """Activate or deactivate an account (roles: admin, controller); audited."""
    require_role(actor, ACCOUNT_ADMINS, "changing accounts")
    account = get_account(session, actor.tenant, cmd.code)
    if account.active != cmd.active:
        account.active = cmd.active
        append(session, actor.tenant, AuditEvent(actor.user_id, "account.activated" if cmd.active
                                                 else "account.deactivated", "account", account.code, {}))
    return account


def list_accounts(actor: Actor, session: Session) -> list[Account]:
    require_role(actor, ACCOUNT_READERS, "reading the chart of accounts")
    return list(session.scalars(select(Account).where(Account.tenant == actor.tenant).order_by(Account.code)))


def account_view(account: Account, parent_code: str | None) -> dict[str, object]:
    return {"code": account.code, "name": account.name, "type": account.type, "parent_code": parent_code,
            "postable": account.postable, "active": account.active, "currency": account.currency}


def account_views(accounts: list[Account]) -> list[dict[str, object]]:
    codes = {account.id: account.code for account in accounts}
    return [account_view(a, codes.get(a.parent_id) if a.parent_id else None) for a in accounts]
