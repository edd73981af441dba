"""``nexus eval``: run the evaluation suites on the demo company and write a JSON + HTML report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def _run(suite: list[str], model: list[str], trials: int, compare: Path | None, out: Path, baseline: bool,
         limit: int | None, judge: str | None, ci: bool) -> None:
    for var, value in {"RAGAS_DO_NOT_TRACK": "true", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                       "HAYSTACK_TELEMETRY_ENABLED": "False"}.items():
        os.environ.setdefault(var, value)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from erp_core.errors import NexusError
    from evals.harness.environment import ModelSpec
    from evals.harness.session import EvalRequest, run_eval, select_cases

    specs = [ModelSpec(target=m) for m in model] or [ModelSpec()]
    request = EvalRequest(suites=suite, models=specs, trials=trials, out_dir=out, compare_with=compare,
                          baseline=baseline, limit=limit, ci_only=ci,
                          judge=ModelSpec(target=judge) if judge else None)
    try:
        cases = select_cases(request)
        model_cases = sum(1 for c in cases if c.kind != "retrieval")
        total = model_cases * trials * len(specs) + (len(cases) - model_cases)
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*columns) as bar:
            task = bar.add_task("preparing", total=total)
            done = [0]

            def advance(label: str, case_id: str) -> None:
                bar.update(task, advance=1, description=f"{label}: {case_id}")
                done[0] += 1
                if not bar.console.is_terminal:  # logs and CI: the bar only draws on a terminal
                    typer.echo(f"[{done[0]}/{total}] {label}: {case_id}")

            report = run_eval(request, cases=cases, progress=advance,
                              status=lambda s: bar.update(task, description=s))
    except NexusError as err:
        typer.echo(f"nexus eval: {err.message}", err=True)
        for issue in err.issues if len(err.issues) > 1 else []:
            typer.echo(f"  - {issue.message}", err=True)
        raise typer.Exit(2) from None
    for label, summary in report["models"].items():
        rates = ", ".join(f"{name} {s['pass_rate']:.2f}" for name, s in summary["suites"].items()
                          if s["pass_rate"] is not None)
        broken = {k: v for k, v in summary["structural_failures"].items() if v}
        typer.echo(f"{label}: {rates}; structural failures: {broken or 'none'}")
        for name, conv in (summary.get("conversations") or {}).items():
            kinds = ", ".join(f"{kind} {g['fully_right']:.2f} of {g['turns']}" for kind, g in conv["by_kind"].items())
            typer.echo(f"  {name}: turns fully right {conv['fully_right']:.2f} of {conv['turns']} ({kinds}); "
                       f"turns with unbacked figures {conv['turns_with_unbacked_figures']}; per-turn latency "
                       f"p50 {conv['latency_ms']['p50'] or 0:.0f} ms, p95 {conv['latency_ms']['p95'] or 0:.0f} ms")
    typer.echo(f"report: {out / 'report.html'} and {out / 'report.json'}")
    regressions = [r for c in (report.get("comparison") or {}).get("models", {}).values() for r in c["regressions"]]
    if regressions:
        typer.echo(f"regressions against {compare}: {', '.join(regressions)}", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        suite: Annotated[list[str], typer.Option("--suite", help="Suite to run (repeatable); default: all.")] = [],  # noqa: B006
        model: Annotated[list[str], typer.Option(
            "--model", help="GGUF path or OpenAI-compatible base URL (repeatable: side-by-side comparison); "
                            "default: the configured model.")] = [],  # noqa: B006
        trials: Annotated[int, typer.Option("--trials", min=1, help="Trials per case (pass^k uses them).")] = 1,
        compare: Annotated[Path | None, typer.Option("--compare", help="Previous report.json to compare with.",
                                                     exists=True, dir_okay=False)] = None,
        out: Annotated[Path, typer.Option("--out", help="Folder for report.json and report.html.")] = Path(
            "eval-report"),
        baseline: Annotated[bool, typer.Option(help="Also measure tool choice without routing and grammar.")] = True,
        limit: Annotated[int | None, typer.Option("--limit", help="At most N cases per suite.")] = None,
        judge: Annotated[str | None, typer.Option(
            "--judge", help="OpenAI-compatible URL of a local judge model for ragas monitors.")] = None,
        ci: Annotated[bool, typer.Option("--ci", help="Only the small CI subset.")] = False,
    ) -> None:
        """Run the evaluation suites (tool use, answers, retrieval, safety, multi-turn, conversations) and write a
        report."""
        _run(suite, model, trials, compare, out, baseline, limit, judge, ci)
