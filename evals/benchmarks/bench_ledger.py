"""Ledger benchmark: validated + audited posting rate (SQLite, PostgreSQL) and a 1M-line trial balance (PostgreSQL).

Prints each figure beside a same-run baseline: beancount loading (parsing, booking, validating) an equivalent ledger
of the same entries, and beancount realising balances over it.

    python evals/benchmarks/bench_ledger.py                 # everything (PostgreSQL on 127.0.0.1:5432)
    python evals/benchmarks/bench_ledger.py --skip-pg       # SQLite only
    python evals/benchmarks/bench_ledger.py --tb-lines 200000

The baseline needs beancount, which is not a runtime dependency: ``.venv/bin/pip install beancount`` (the script says
so and skips the baseline when it is missing).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from erp_core import ledger, reports
from erp_core.approvals import install_default_policies
from erp_core.db import Database
from erp_core.identity import Actor
from erp_core.ledger import CreateAccount, JournalLineIn, PeriodRef, PostJournalEntry
from erp_core.migrations import upgrade
from erp_core.tenancy import ensure_tenant

ACCOUNTS = [("1010", "Cash", "asset"), ("1100", "Receivables", "asset"), ("2010", "Payables", "liability"),
            ("3010", "Capital", "equity"), ("4010", "Product Revenue", "revenue"), ("4020", "Services Revenue",
                                                                                      "revenue"),
            ("6100", "Rent", "expense"), ("6200", "Travel", "expense"), ("6300", "Software", "expense"),
            ("6500", "Professional Fees", "expense")]
BEAN_NAMES = {"asset": "Assets", "liability": "Liabilities", "equity": "Equity", "revenue": "Income",
              "expense": "Expenses"}
YEAR = 2026
DEPARTMENTS = ["FIN", "SALES", "OPS", "ENG"]


def entries(count: int, seed: int, prefix: str) -> list[PostJournalEntry]:
    """Deterministic two- to four-line entries under 10,000 USD (they post without approval)."""
    rng = random.Random(seed)
    codes = [code for code, _, _ in ACCOUNTS]
    out = []
    for i in range(count):
        legs = rng.randint(1, 3)
        amounts = [rng.randint(100, 300_000) for _ in range(legs)]
        lines = [JournalLineIn(account_code=rng.choice(codes), debit=f"{a // 100}.{a % 100:02d}", currency="USD",
                               dimensions={"department": rng.choice(DEPARTMENTS)}) for a in amounts]
        total = sum(amounts)
        lines.append(JournalLineIn(account_code=rng.choice(codes), credit=f"{total // 100}.{total % 100:02d}",
                                   currency="USD"))
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
        out.append(PostJournalEntry(date=day, memo=f"bench entry {i}", idempotency_key=f"{prefix}-{i}", lines=lines))
    return out


def prepare(db: Database, tenant: str) -> dict[str, Actor]:
    people = {"root": Actor.of(f"root@{tenant}", tenant, "admin"), "alice": Actor.of(f"alice@{tenant}", tenant,
                                                                                     "accountant"),
              "carol": Actor.of(f"carol@{tenant}", tenant, "controller"),
              "seed": Actor.of(f"seed@{tenant}", tenant, "system")}
    with db.unit_of_work() as session:
        ensure_tenant(session, tenant, functional_currency="USD")
        install_default_policies(session, tenant)
        for code, name, kind in ACCOUNTS:
            ledger.create_account(CreateAccount(code=code, name=name, type=kind), people["root"], session)
        for month in range(1, 13):
            ledger.open_period(PeriodRef(year=YEAR, month=month), people["alice"], session)
    return people


class Clock:
    """Wall time and this process's CPU time: on a shared, busy machine the CPU figure is the one that repeats
    (it excludes a PostgreSQL server's own CPU)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def rate(self, count: int) -> str:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        return (f"{count / wall:>9,.0f} entries/s wall, {count / max(cpu, 1e-9):>9,.0f} per CPU-second "
                f"({count:,} in {wall:.2f} s)")


def bench_posting(db: Database, label: str, single: int, bulk: int, batch: int) -> None:
    tenant = f"bench{uuid.uuid4().hex[:8]}"
    people = prepare(db, tenant)
    work = entries(single, seed=1, prefix="one")
    clock = Clock()
    for cmd in work:
        with db.unit_of_work() as session:
            ledger.submit_journal_entry(cmd, people["alice"], session)
    print(f"  {label:<10} one entry per transaction (validate, policy, post, audit, outbox): {clock.rate(single)}")
    work = entries(bulk, seed=2, prefix="bulk")
    clock = Clock()
    for offset in range(0, bulk, batch):
        with db.unit_of_work() as session:
            ledger.post_imported_entries(work[offset:offset + batch], people["seed"], session)
    print(f"  {label:<10} bulk import, {batch}/transaction (validate all, post, audit, outbox): {clock.rate(bulk)}")


def beancount_text(work: list[PostJournalEntry]) -> str:
    kinds = {code: BEAN_NAMES[kind] for code, _, kind in ACCOUNTS}
    lines = [f"{YEAR}-01-01 open {kinds[code]}:A{code} USD" for code in kinds]
    for cmd in work:
        lines.append(f'{cmd.date} * "{cmd.memo}"')
        for line in cmd.lines:
            amount = line.debit if line.debit is not None else -line.credit  # type: ignore[operator]
            lines.append(f"  {kinds[line.account_code]}:A{line.account_code}  {amount} USD")
    return "\n".join(lines) + "\n"


def bench_beancount(count: int) -> None:
    try:
        from beancount import loader
        from beancount.core import realization
    except ImportError:
        print("  baseline skipped: beancount is not installed (.venv/bin/pip install beancount)")
        return
    text = beancount_text(entries(count, seed=2, prefix="bulk"))
    clock = Clock()
    loaded, errors, _options = loader.load_string(text)
    assert not errors, errors[:3]
    print(f"  {'beancount':<10} load_string (parse, book, validate) of the same bulk entries: {clock.rate(count)}")
    start = time.perf_counter()
    realization.realize(loaded)
    postings = sum(len(cmd.lines) for cmd in entries(count, seed=2, prefix="bulk"))
    elapsed = time.perf_counter() - start
    print(f"  {'beancount':<10} realize balances over {postings:,} postings: {elapsed * 1000:,.0f} ms "
          f"({postings / elapsed:,.0f} postings/s)")


def copy_lines(db: Database, tenant: str, line_count: int, actor: Actor) -> None:
    """Bulk-load ``line_count`` posted lines (two per entry) with COPY; the fixture for the report timing."""
    from erp_core.ledger.models import Account

    with db.read() as session:
        ids = [a.id for a in session.query(Account).filter(Account.tenant == tenant).all()]
    rng = random.Random(7)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        entry_ids = [uuid.uuid4().hex for _ in range(line_count // 2)]
        days = [dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365)) for _ in entry_ids]
        with cur.copy("COPY gl_journal_entries (id, tenant, idempotency_key, entry_date, memo, status, payload, "
                      "payload_hash, functional_amount_minor, source, anomaly_reasons, created_by, created_at) "
                      "FROM STDIN") as copy:
            now = dt.datetime.now(dt.UTC)
            for i, (entry_id, day) in enumerate(zip(entry_ids, days, strict=True)):
                copy.write_row((entry_id, tenant, f"tb-{i}", day, "tb fixture", "posted", "{}", "0" * 64, 0,
                                "bench", "[]", actor.user_id, now))
        with cur.copy("COPY gl_journal_lines (tenant, entry_id, line_no, account_id, currency, debit_minor, "
                      "credit_minor, entry_date, department) FROM STDIN") as copy:
            for entry_id, day in zip(entry_ids, days, strict=True):
                amount = rng.randint(100, 10_000_000)
                debit_account, credit_account = rng.sample(ids, 2)
                dept = rng.choice(DEPARTMENTS)
                copy.write_row((tenant, entry_id, 1, debit_account, "USD", amount, 0, day, dept))
                copy.write_row((tenant, entry_id, 2, credit_account, "USD", 0, amount, day, dept))
        raw.commit()
        driver = raw.driver_connection
        assert driver is not None
        driver.autocommit = True  # VACUUM refuses to run inside a transaction
        cur.execute("VACUUM ANALYZE gl_journal_lines")
        cur.execute("VACUUM ANALYZE gl_journal_entries")
    finally:
        raw.close()


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:] or times), result


def bench_trial_balance(db: Database, line_count: int) -> None:
    tenant = f"tb{uuid.uuid4().hex[:8]}"
    people = prepare(db, tenant)
    start = time.perf_counter()
    copy_lines(db, tenant, line_count, people["seed"])
    print(f"  loaded {line_count:,} posted lines with COPY in {time.perf_counter() - start:.1f} s")
    flt = reports.make_filter(as_of=dt.date(YEAR, 12, 31))

    def run() -> dict[str, Any]:
        with db.read() as session:
            return reports.trial_balance(people["carol"], session, flt)

    first, median, report = timed(run, 6)
    assert report["totals"]["balanced"], report["totals"]
    print(f"  {'postgres':<10} trial balance over {line_count:,} lines: first {first * 1000:,.0f} ms, "
          f"median of 5 more {median * 1000:,.0f} ms ({len(report['rows'])} rows, balanced)")
    half = reports.make_filter(as_of=dt.date(YEAR, 6, 30), dimensions={"department": "SALES"})
    _, median_dim, _ = timed(lambda: _tb(db, people["carol"], half), 4)
    print(f"  {'postgres':<10} trial balance as of mid-year for one department: median {median_dim * 1000:,.0f} ms")
    with db.engine.connect() as conn:
        from sqlalchemy import text

        plan = conn.execute(text(
            "EXPLAIN SELECT account_id, currency, sum(debit_minor), sum(credit_minor) FROM gl_journal_lines "
            "WHERE tenant = :t AND entry_date <= :d GROUP BY account_id, currency"),
            {"t": tenant, "d": dt.date(YEAR, 12, 31)}).scalars().all()
    scan = next((line.strip() for line in plan if "Scan" in line), "?")
    print(f"  plan: {scan}")


def _tb(db: Database, actor: Actor, flt: reports.ReportFilter) -> dict[str, Any]:
    with db.read() as session:
        return reports.trial_balance(actor, session, flt)


@contextmanager
def pg_database(admin_dsn: str) -> Iterator[str]:
    import psycopg

    name = f"nexus_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--single", type=int, default=2000, help="entries posted one per transaction")
    parser.add_argument("--bulk", type=int, default=20000, help="entries posted by bulk import")
    parser.add_argument("--batch", type=int, default=1000, help="entries per bulk transaction")
    parser.add_argument("--tb-lines", type=int, default=1_000_000, help="posted lines for the trial balance")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL admin DSN used to create a throw-away database")
    parser.add_argument("--skip-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)

    print(f"Load average at start: {_load()} ({os.cpu_count()} CPUs): wall rates on a busy machine are low, the "
          "per-CPU-second ones repeat better")
    print("Posting rate (targets: >= 5,000 entries/s SQLite, >= 2,000 entries/s PostgreSQL)")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        db = Database(url)
        bench_posting(db, "sqlite", args.single, args.bulk, args.batch)
        db.dispose()
    if not args.skip_pg:
        with pg_database(args.pg_admin) as url:
            upgrade(url)
            db = Database(url)
            bench_posting(db, "postgres", args.single, args.bulk, args.batch)
            print("Baseline (same run)")
            bench_beancount(args.bulk)
            print("Trial balance (target: <= 1 s at 1M lines on PostgreSQL)")
            bench_trial_balance(db, args.tb_lines)
            db.dispose()
    else:
        print("Baseline (same run)")
        bench_beancount(args.bulk)
    print(f"Load average at end: {_load()}")
    return 0


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
