"""Import benchmark: ``nexus import journal`` on a 100,000-entry journal CSV, SQLite and PostgreSQL, with
beancount's own load of the same ledger beside it.

The import is timed end to end as the command runs it (read and parse the file, plan and validate every entry against
the ledger, create and close the periods, open and decide the batch's approval, post through the bulk path, commit).
The baseline is ``beancount.loader.load_file`` (parse, book, validate) of the same entries written as beancount.

    python evals/benchmarks/bench_import.py                    # 100,000 entries, SQLite and PostgreSQL
    python evals/benchmarks/bench_import.py --entries 20000 --skip-pg

PostgreSQL: a throw-away database on 127.0.0.1:5432 (``NEXUS_BENCH_PG``, default ``postgresql://postgres@...``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

from erp_core.db import Database
from erp_core.identity import Actor
from erp_core.imports.accounts import import_accounts
from erp_core.imports.journal import import_journal
from erp_core.imports.tenants import create_tenant
from erp_core.migrations import upgrade

ACCOUNTS = [("1000", "Assets", "asset", ""), ("1010", "Cash", "asset", "1000"),
            ("1100", "Receivables", "asset", "1000"), ("2000", "Liabilities", "liability", ""),
            ("2010", "Payables", "liability", "2000"), ("3000", "Equity", "equity", ""),
            ("3010", "Capital", "equity", "3000"), ("4000", "Revenue", "revenue", ""),
            ("4010", "Product Revenue", "revenue", "4000"), ("6000", "Expenses", "expense", ""),
            ("6100", "Rent", "expense", "6000"), ("6200", "Travel", "expense", "6000")]
BEAN = {"1010": "Assets:Cash", "1100": "Assets:Receivables", "2010": "Liabilities:Payables",
        "3010": "Equity:Capital", "4010": "Income:Product-Revenue", "6100": "Expenses:Rent",
        "6200": "Expenses:Travel"}
class Clock:
    """Wall time and this process's CPU time: on a shared, busy machine the CPU figure is the one that repeats (it
    excludes a PostgreSQL server's own CPU)."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def rate(self, count: int) -> str:
        return (f"{self.wall:6.2f} s = {count / self.wall:8,.0f} entries/s wall, "
                f"{count / max(self.cpu, 1e-9):8,.0f} per CPU-second")


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


PG_ADMIN = os.environ.get("NEXUS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def write_files(folder: Path, count: int, seed: int = 7) -> tuple[Path, Path, Path]:
    """The chart, and ``count`` two-line entries over three years as journal CSV and as beancount."""
    rng = random.Random(seed)
    codes = list(BEAN)
    start = dt.date(2023, 1, 1)
    chart = folder / "accounts.csv"
    chart.write_text("code,name,type,parent\n" + "".join(f"{c},{n},{t},{p}\n" for c, n, t, p in ACCOUNTS))
    csv_lines = ["date,entry,account_code,debit,credit,currency,memo"]
    bean_lines = [f"2023-01-01 open {name} USD" for name in BEAN.values()]
    for i in range(count):
        day = (start + dt.timedelta(days=rng.randrange(3 * 365))).isoformat()
        debit, credit = rng.sample(codes, 2)
        minor = rng.randint(100, 900_000)
        amount = f"{minor // 100}.{minor % 100:02d}"
        memo = f"entry {i}"
        csv_lines += [f"{day},E{i},{debit},{amount},,USD,{memo}", f"{day},E{i},{credit},,{amount},USD,{memo}"]
        bean_lines += [f'{day} * "{memo}"', f"  {BEAN[debit]}  {amount} USD", f"  {BEAN[credit]}  -{amount} USD"]
    journal = folder / "journal.csv"
    journal.write_text("\n".join(csv_lines) + "\n")
    ledger = folder / "journal.beancount"
    ledger.write_text("\n".join(bean_lines) + "\n")
    return chart, journal, ledger


def bench_import(url: str, label: str, chart: Path, journal: Path, count: int) -> None:
    upgrade(url)
    db = Database(url)
    tenant = f"bench{uuid.uuid4().hex[:8]}"
    admin = Actor.of(f"import@{tenant}", tenant, "admin,controller")
    with db.unit_of_work() as session:
        create_tenant(session, admin, tenant, "Bench Co", "USD")
        import_accounts(chart, admin, session)
    with Clock() as clock, db.unit_of_work() as session:
        summary = import_journal(journal, tenant, f"import@{tenant}", Actor.of(f"carol@{tenant}", tenant,
                                                                                "controller"), session)
    assert summary.posted == count, summary
    print(f"  {label:<11} import journal, {count:,} entries ({2 * count:,} lines), commit included: "
          f"{clock.rate(count)}")
    with Clock() as clock, db.unit_of_work() as session:
        again = import_journal(journal, tenant, f"import@{tenant}", Actor.of(f"carol@{tenant}", tenant,
                                                                              "controller"), session)
    assert again.posted == 0 and again.unchanged == count
    print(f"  {label:<11} re-run of the same file (every entry found, nothing written): {clock.rate(count)}")
    db.dispose()


def bench_beancount(ledger: Path, count: int) -> None:
    try:
        from beancount import loader
    except ImportError:
        print("  beancount   not installed (pip install beancount): no baseline")
        return
    with Clock() as clock:
        _entries, errors, _options = loader.load_file(str(ledger))
    assert not errors, errors[:3]
    print(f"  {'beancount':<11} loader.load_file (parse, book, validate) of the same ledger: {clock.rate(count)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chart, journal, ledger = write_files(folder, args.entries)
        print(f"Load average at start: {_load()} ({os.cpu_count()} CPUs): wall rates on a busy machine are low, the "
              "per-CPU-second ones repeat better")
        print(f"Import of {args.entries:,} entries (journal CSV {journal.stat().st_size / 1e6:.1f} MB); target "
              ">= 5,000 entries/s")
        bench_import(f"sqlite:///{folder / 'bench.db'}", "SQLite", chart, journal, args.entries)
        if not args.skip_pg:
            import psycopg

            name = f"nexus_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
            try:
                bench_import(f"{base}/{name}", "PostgreSQL", chart, journal, args.entries)
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print("Baseline (same run)")
        bench_beancount(ledger, args.entries)
        print(f"Load average at end: {_load()}")


if __name__ == "__main__":
    main()
