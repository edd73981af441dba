"""``seed_demo``: build the two demo tenants, deterministically from (seed, size, as-of).

Refuses a tenant that was already seeded (it never deletes data): seed a fresh database to start over.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.apar.models import Customer, Vendor
from erp_core.approvals import install_default_policies
from erp_core.db import Database
from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from erp_core.ledger import CreateAccount, PeriodRef, close_period, create_account, open_period
from erp_core.ledger.models import AccountType
from erp_core.seed import anomalies
from erp_core.seed.budgets import future_months, seed_budgets
from erp_core.seed.crm_data import seed_crm, seed_parties, seed_tickets
from erp_core.seed.facts import ACCOUNTS, HEADERS, TENANTS, TenantFacts
from erp_core.seed.ledger_data import LedgerGenerator, LedgerPlan, months_between, weekday
from erp_core.seed.models import PlantedAnomaly, SeedRun
from erp_core.seed.people import monthly_payroll, seed_departments, seed_people
from erp_core.seed.posting import post_documents
from erp_core.seed.sizes import SIZES
from erp_core.tenancy import ensure_tenant, utcnow

DEFAULT_AS_OF = dt.date(2026, 10, 31)
DEFAULT_SEED = 42
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SeedSummary:
    tenant: str
    entries: int
    employees: int
    customers: int
    vendors: int
    opportunities: int
    tickets: int
    budgets: int
    planted: int


def history_start(as_of: dt.date) -> dt.date:
    """First month of the 24-month history ending with the last month completed by ``as_of``."""
    last_complete = as_of if (as_of + dt.timedelta(days=1)).day == 1 else as_of.replace(day=1) - dt.timedelta(days=1)
    year, month = last_complete.year, last_complete.month - 23
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


def system_actor(tenant: str) -> Actor:
    return Actor.of(f"system@{tenant}", tenant, "system,admin,controller,cfo,accountant")


def already_seeded(session: Session) -> list[str]:
    return list(session.scalars(select(SeedRun.tenant).order_by(SeedRun.tenant)))


def _chart(session: Session, actor: Actor) -> None:
    for code, name, kind in HEADERS:
        create_account(CreateAccount(code=code, name=name, type=AccountType(kind), postable=False), actor, session)
    for code, name, kind, parent in ACCOUNTS:
        # A header groups accounts of its own type; 7010 (income) cannot hang under the 7000 expense header.
        parent_code = parent if {h[0]: h[2] for h in HEADERS}[parent] == kind else None
        create_account(CreateAccount(code=code, name=name, type=AccountType(kind), parent_code=parent_code),
                       actor, session)


def months_after(last: dt.date, through: dt.date) -> list[dt.date]:
    """First days of the months after ``last``'s month up to and including ``through``'s month."""
    out: list[dt.date] = []
    year, month = last.year, last.month
    while (year, month) < (through.year, through.month):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        out.append(dt.date(year, month, 1))
    return out


def seed_tenant(session: Session, tenant: TenantFacts, size_name: str, seed: int, as_of: dt.date,
                progress: Progress, today: dt.date | None = None) -> SeedSummary:
    """Seed one tenant. ``as_of`` is the history's business date; ``today`` (default: the real date) is when the
    install happens: every month from the history's end through ``today``'s is opened too, so a draft dated today
    finds an open period whatever day the demo is installed on."""
    day = today or dt.date.today()
    size = SIZES[size_name]
    rng = random.Random(f"{seed}:{tenant.id}")
    actor = system_actor(tenant.id)
    start = history_start(as_of)
    months = months_between(start, 24)
    ensure_tenant(session, tenant.id, name=tenant.name, functional_currency=tenant.currency)
    _chart(session, actor)
    opened = [*months, months_between(months[-1], 2)[1]]
    for month in opened:
        open_period(PeriodRef(year=month.year, month=month.month), actor, session, today=as_of)
    for month in months_after(opened[-1], day):
        open_period(PeriodRef(year=month.year, month=month.month), actor, session, today=day)
    seed_departments(session, tenant.id)
    employees = seed_people(session, tenant, size.employees, random.Random(f"{seed}:{tenant.id}:people"), start,
                            as_of)
    install_default_policies(session, tenant.id)
    progress(f"{tenant.id}: people and policies", 1, 1)
    customers, vendors = seed_parties(session, tenant, actor, size.customers, size.vendors,
                                      random.Random(f"{seed}:{tenant.id}:parties"))
    reps = sorted(e.user_id for e in employees if e.user_id and e.department_code == "SALES" and e.level == 5
                  and e.title == "Account Executive" and e.termination_date is None)
    accounts = seed_crm(session, tenant, customers, reps, size.opportunities, start, as_of,
                        random.Random(f"{seed}:{tenant.id}:crm"))
    agents = sorted(e.user_id for e in employees if e.user_id and e.department_code in ("OPS", "IT")
                    and e.level >= 4 and e.termination_date is None)
    seed_tickets(session, tenant, accounts, agents, size.tickets, start, as_of,
                 random.Random(f"{seed}:{tenant.id}:tickets"))
    progress(f"{tenant.id}: CRM and service desk", 1, 1)
    party_ids = {("invoice", c.code): c.id for c in session.scalars(select(Customer).where(
        Customer.tenant == tenant.id))} | {("bill", v.code): v.id for v in session.scalars(
            select(Vendor).where(Vendor.tenant == tenant.id))}
    fx = 1.0 if tenant.currency == "USD" else 0.8
    generator = LedgerGenerator(tenant, size, customers, vendors, lambda end: monthly_payroll(employees, end, fx),
                                rng, start, as_of)
    plant_rng = random.Random(f"{seed}:{tenant.id}:anomalies")
    plant_months = sorted(plant_rng.sample(range(4, 23), min(size.planted_anomalies, 19)))
    if size.planted_anomalies > 19:
        plant_months = sorted(plant_months + plant_rng.choices(range(4, 23), k=size.planted_anomalies - 19))
    tz = ZoneInfo(tenant.timezone)
    entries = planted = 0
    for index, month in enumerate(months):
        docs = [d for d in generator.month(index, month) if d.date <= as_of]
        batch_time = dt.datetime.combine(weekday(month.replace(day=28), forward=False), dt.time(11, 0),
                                         tzinfo=tz).astimezone(dt.UTC)
        post_documents(session, actor, docs, tenant.currency, batch_time, party_ids)
        entries += len(docs)
        for _ in range(plant_months.count(index)):
            kind = anomalies.KINDS[planted % len(anomalies.KINDS)]
            doc = anomalies.plant(tenant, kind, month, docs, plant_rng, planted)
            assert doc.submitted_at is not None
            post_documents(session, actor, [doc], tenant.currency, doc.submitted_at, party_ids)
            session.add(PlantedAnomaly(tenant=tenant.id, entry_id=doc.entry_id, kind=kind, entry_date=doc.date))
            planted += 1
            entries += 1
        progress(f"{tenant.id}: ledger", index + 1, len(months))
    extra = LedgerPlan()
    for future in future_months(months[-1]):
        last_year = future.replace(year=future.year - 1)
        for (month, dept, account), minor in generator.plan.expected.items():
            if month == last_year:
                extra.add(future, dept, account, round(minor * 1.012 ** 12))
    budgets = seed_budgets(session, tenant.id, tenant.currency, generator.plan, extra,
                           random.Random(f"{seed}:{tenant.id}:budgets"))
    for month in months[:-2]:
        if (month.year, month.month) != (day.year, day.month):  # today's period stays open
            close_period(PeriodRef(year=month.year, month=month.month), actor, session)
    session.add(SeedRun(tenant=tenant.id, size=size_name, seed=seed, as_of=as_of, entries=entries,
                        created_at=utcnow()))
    session.flush()
    progress(f"{tenant.id}: budgets and close", 1, 1)
    return SeedSummary(tenant.id, entries, len(employees), len(customers), len(vendors), size.opportunities,
                       size.tickets, budgets, planted)


def seed_demo(db: Database, *, size: str = "small", seed: int = DEFAULT_SEED, as_of: dt.date = DEFAULT_AS_OF,
              progress: Progress | None = None, today: dt.date | None = None) -> list[SeedSummary]:
    """Seed both demo tenants, one transaction each.

    Raises:
        NexusError(VALIDATION_FAILED): unknown size.
        NexusError(CONFLICT): the database already holds seeded demo tenants (nothing is changed).
    """
    if size not in SIZES:
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"unknown size {size!r}", candidates=sorted(SIZES))
    report = progress or (lambda _step, _done, _total: None)
    with db.read() as session:
        done = already_seeded(session)
    if done:
        raise NexusError(ErrorCode.CONFLICT, f"the database is already seeded (tenants: {', '.join(done)}); "
                                             "seed a fresh database to start over")
    summaries = []
    for tenant in TENANTS:
        with db.unit_of_work() as session:
            summaries.append(seed_tenant(session, tenant, size, seed, as_of, report, today))
    return summaries


def seed_if_empty(db: Database, *, size: str = "small", seed: int = DEFAULT_SEED, as_of: dt.date = DEFAULT_AS_OF,
                  progress: Progress | None = None, today: dt.date | None = None) -> list[SeedSummary]:
    """What first-run setup calls: seed when no demo tenant exists yet, otherwise do nothing (returns [])."""
    with db.read() as session:
        if already_seeded(session):
            return []
    return seed_demo(db, size=size, seed=seed, as_of=as_of, progress=progress, today=today)
