"""Benchmark: demo-company seed time per size, and KPI / budget-vs-actual latency on the medium company.

Prints p50/p95 of each EPM query next to a same-run baseline: the bare SQL aggregate every one of them needs (net
debit − credit per account over the window, one GROUP BY on gl_journal_lines). Target: every KPI/variance query
≤ 100 ms p50 on the medium company.

Usage:
    .venv/bin/python evals/benchmarks/bench_domains.py [--sizes small,medium] [--engines sqlite,postgresql]
        [--repeat 30] [--pg-admin postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from erp_core import migrations
from erp_core.db import Database
from erp_core.epm.periods import parse_window
from erp_core.epm.service import budget_vs_actual, kpi_report
from erp_core.identity import Actor
from erp_core.ledger.models import JournalEntry, JournalLine
from erp_core.seed.runner import seed_demo

CAROL = Actor.of("carol@acme", "acme", "controller,employee")


def _pg_url(admin: str) -> tuple[str, Callable[[], None]]:
    import psycopg

    name = f"nexus_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}", drop


def _database(engine: str, workdir: Path, admin: str) -> tuple[Database, Callable[[], None]]:
    if engine == "sqlite":
        url = f"sqlite:///{workdir / f'bench_{uuid.uuid4().hex[:6]}.db'}"
        cleanup: Callable[[], None] = lambda: None  # noqa: E731
    else:
        url, cleanup = _pg_url(admin)
    migrations.upgrade(url)
    return Database(url), cleanup


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    fn()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def _baseline(db: Database, period: str, ytd: bool) -> Callable[[], Any]:
    window = parse_window(period, ytd=ytd)

    def run() -> Any:
        with db.read() as session:
            return session.execute(
                select(JournalLine.account_id, func.sum(JournalLine.debit_minor - JournalLine.credit_minor))
                .where(JournalLine.tenant == "acme", JournalLine.entry_date >= window.start,
                       JournalLine.entry_date <= window.end).group_by(JournalLine.account_id)).all()
    return run


def _queries(db: Database) -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    def q(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
        def run() -> Any:
            with db.read() as session:
                return fn(session, CAROL, *args, **kwargs)
        return run

    return {
        "kpis month (2026-09)": (q(kpi_report, "2026-09"), _baseline(db, "2026-09", False)),
        "kpis YTD (2026-09)": (q(kpi_report, "2026-09", ytd=True), _baseline(db, "2026-09", True)),
        "kpis quarter, dept ENG": (q(kpi_report, "2026-Q3", department="ENG"), _baseline(db, "2026-Q3", False)),
        "budget vs actual month": (q(budget_vs_actual, "2026-09"), _baseline(db, "2026-09", False)),
        "budget vs actual YTD by dept": (q(budget_vs_actual, "2026-09", ytd=True, by_department=True),
                                         _baseline(db, "2026-09", True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,medium")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    sizes, engines = args.sizes.split(","), args.engines.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        for engine in engines:
            for size in sizes:
                db, cleanup = _database(engine, Path(tmp), args.pg_admin)
                try:
                    start = time.perf_counter()
                    summaries = seed_demo(db, size=size)
                    elapsed = time.perf_counter() - start
                    with db.read() as session:
                        entries = int(session.scalar(select(func.count(JournalEntry.id))) or 0)
                        lines = session.scalar(select(func.count(JournalLine.id)))
                    print(f"seed {size:<6} on {engine:<10}: {elapsed:6.1f} s  ({entries} entries, {lines} lines, "
                          f"{sum(s.planted for s in summaries)} planted anomalies, "
                          f"{entries / elapsed:,.0f} entries/s)")
                    if size != "medium":
                        continue
                    print(f"  latency on {engine}, medium company, {args.repeat} runs   p50 ms   p95 ms   "
                          "baseline p50 (bare GROUP BY)")
                    for name, (query, baseline) in _queries(db).items():
                        p50, p95 = _timed(query, args.repeat)
                        b50, _ = _timed(baseline, args.repeat)
                        flag = "ok" if p50 <= 100 else "OVER 100 ms"
                        print(f"  {name:<30} {p50:8.1f} {p95:8.1f}   {b50:8.1f}   {flag}")
                finally:
                    db.dispose()
                    cleanup()


if __name__ == "__main__":
    main()
