"""One evaluation run end to end: build the world, run the cases on every model, write report.json and report.html
(and compare with a previous report). The CLI and the CI-subset test both call ``run_eval``."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.harness.cases import DATASETS, Case, load_suites
from evals.harness.environment import DEMO_CORPUS, FIXTURE_DOCUMENTS, EvalWorld, ModelSpec
from evals.harness.runner import Progress, Runner, RunOptions


@dataclass
class EvalRequest:
    suites: Sequence[str] = ()
    models: Sequence[ModelSpec] = (ModelSpec(),)
    trials: int = 1
    out_dir: Path = Path("eval-report")
    compare_with: Path | None = None
    datasets: Path = DATASETS
    ci_only: bool = False
    baseline: bool = True
    corpora: Sequence[Path] = (DEMO_CORPUS, FIXTURE_DOCUMENTS)
    judge: ModelSpec | None = None
    limit: int | None = None  # at most this many cases per suite (quick looks at a large suite)
    world_kwargs: dict[str, Any] = field(default_factory=dict)


def select_cases(request: EvalRequest) -> list[Case]:
    cases = load_suites(request.datasets, request.suites or None, ci_only=request.ci_only)
    if request.limit is None:
        return cases
    kept: dict[str, int] = {}
    limited = []
    for case in cases:
        if kept.get(case.suite, 0) < request.limit:
            kept[case.suite] = kept.get(case.suite, 0) + 1
            limited.append(case)
    return limited


def run_eval(request: EvalRequest, *, progress: Progress = lambda _m, _c: None,
             status: Callable[[str], None] = lambda _s: None, cases: list[Case] | None = None) -> dict[str, Any]:
    """Run and write ``report.json`` and ``report.html`` under ``request.out_dir``; returns the report."""
    from evals.report.compare import compare_reports
    from evals.report.html import render_html
    from evals.report.summary import build_report

    cases = cases if cases is not None else select_cases(request)
    with tempfile.TemporaryDirectory(prefix="nexus-eval-") as tmp:
        results, monitors = asyncio.run(_run(request, cases, Path(tmp), progress, status))
    suites = sorted({c.suite for c in cases})
    report = build_report(results, trials=request.trials, suites=suites, monitors=monitors)
    if request.compare_with is not None:
        previous = json.loads(request.compare_with.read_text(encoding="utf-8"))
        report["comparison"] = compare_reports(report, previous)
    request.out_dir.mkdir(parents=True, exist_ok=True)
    (request.out_dir / "report.json").write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    (request.out_dir / "report.html").write_text(render_html(report), encoding="utf-8")
    return report


async def _run(request: EvalRequest, cases: list[Case], workdir: Path, progress: Progress,
               status: Callable[[str], None]) -> tuple[dict[str, Any], dict[str, Any]]:
    world = await asyncio.to_thread(EvalWorld.build, workdir, corpora=request.corpora, progress=status,
                                    **request.world_kwargs)
    try:
        runner = Runner(world, RunOptions(trials=request.trials, baseline=request.baseline), progress)
        results = await runner.run(cases, request.models)
    finally:
        await world.aclose()
    monitors: dict[str, Any] = {}
    if request.judge is not None:
        from evals.metrics.ragas_monitor import ragas_monitors

        status("judging with ragas")
        monitors = await asyncio.to_thread(ragas_monitors, results, request.judge)
    return dict(results), monitors
