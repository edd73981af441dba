"""The self-contained HTML report: one file, inline CSS and SVG, readable offline and attachable to a ticket."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from evals.report.svg import grouped_bars, strip_plot

CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111827;max-width:1100px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #d1d5db;padding:3px 8px;text-align:left}
th{background:#f3f4f6}.bad{background:#fee2e2;color:#991b1b;font-weight:600}.good{color:#166534}
details{margin:4px 0;border:1px solid #e5e7eb;padding:4px 8px}pre{white-space:pre-wrap;font-size:12px;
background:#f9fafb;padding:6px}h2{margin-top:28px;border-bottom:1px solid #e5e7eb}.muted{color:#6b7280}"""


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value))


def _table(headers: list[str], rows: list[list[Any]], classes: list[list[str]] | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for ri, row in enumerate(rows):
        cells = []
        for ci, cell in enumerate(row):
            cls = classes[ri][ci] if classes else ""
            cells.append(f'<td class="{cls}">{_fmt(cell)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _models_section(models: dict[str, Any]) -> str:
    labels = list(models)
    suites = sorted({s for m in models.values() for s in m["suites"]})
    chart = grouped_bars(suites, {label: [models[label]["suites"].get(s, {}).get("pass_rate") for s in suites]
                                  for label in labels})
    rows = [[s, *[models[label]["suites"].get(s, {}).get("pass_rate") for label in labels]] for s in suites]
    metric_names = ["tool_choice_accuracy", "argument_accuracy", "answer_correctness", "tool_results_tie_out",
                    "conversation_turns_fully_right"]
    metric_rows = [[m, *[models[label]["metrics"].get(m) for label in labels]] for m in metric_names]
    for r in ("recall@5", "mrr", "context_precision", "context_recall"):
        metric_rows.append([f"retrieval {r}", *[models[label]["metrics"]["retrieval"].get(r) for label in labels]])
    lat_rows = [[label, m["latency"]["ttft_ms"]["p50"], m["latency"]["ttft_ms"]["p95"],
                 m["latency"]["total_ms"]["p50"], m["latency"]["total_ms"]["p95"],
                 m["latency"]["tokens"]["input"], m["latency"]["tokens"]["output"]] for label, m in models.items()]
    struct_rows = [[label, *m["structural_failures"].values()] for label, m in models.items()]
    struct_cls = [["", *["bad" if v else "good" for v in m["structural_failures"].values()]]
                  for m in models.values()]
    struct_head = ["model", *next(iter(models.values()))["structural_failures"].keys()] if models else ["model"]
    return ("<h2>Scores per suite (pass rate)</h2>" + chart + _table(["suite", *labels], rows) +
            "<h2>Metrics</h2>" + _table(["metric", *labels], metric_rows) +
            "<h2>Structural failures (gates)</h2>" + _table(struct_head, struct_rows, struct_cls) +
            "<h2>Latency and tokens</h2>" +
            _table(["model", "TTFT p50 ms", "TTFT p95 ms", "total p50 ms", "total p95 ms", "input tokens",
                    "output tokens"], lat_rows) +
            "<p class='muted'>TTFT counts turns that streamed an answer; tool-use turns end at their first tool "
            "call, so their total is the decision latency.</p>"
            "<p>Total latency per turn (dots; black = p50, red = p95):</p>" +
            strip_plot({label: m["latency"]["samples"]["total_ms"] for label, m in models.items()}))


def _conversations_section(models: dict[str, Any], limit: int = 120) -> str:
    """What the user reads, per conversation suite: turns fully right overall, by kind and by domain, each check's
    rate, pass^k, per-turn latency, and the failing turns with their visible text."""
    out = []
    for label, m in models.items():
        for suite, c in (m.get("conversations") or {}).items():
            unbacked = c["turns_with_unbacked_figures"]
            head = (f"<h2>{escape(suite)} — what the user reads ({escape(label)})</h2>"
                    f"<p>{c['conversations']} conversations, {c['turns']} turns; turns fully right "
                    f"<b>{_fmt(c['fully_right'])}</b>; conversations fully right {_fmt(c['conversations_fully_right'])}"
                    f"; turns showing a figure their data does not back: "
                    f"<b class=\"{'bad' if unbacked else 'good'}\">{unbacked}</b>; "
                    f"per-turn latency p50 {_fmt(c['latency_ms']['p50'])} ms, "
                    f"p95 {_fmt(c['latency_ms']['p95'])} ms</p>")
            groups = [[f"kind: {name}", g["turns"], g["fully_right"], g["latency_ms"]["p50"], g["latency_ms"]["p95"]]
                      for name, g in c["by_kind"].items()]
            groups += [[f"domain: {name}", g["turns"], g["fully_right"], g["latency_ms"]["p50"],
                        g["latency_ms"]["p95"]] for name, g in c["by_domain"].items()]
            checks = [[name, rate] for name, rate in c["checks"].items()]
            passk = [[k, v["turns"], v["conversations"]] for k, v in c["pass^k"].items()]
            out.append(head + _table(["group", "turns", "fully right", "p50 ms", "p95 ms"], groups) +
                       _table(["check (per turn)", "rate"], checks) +
                       _table(["k", "pass^k turns", "pass^k conversations"], passk))
            out.append(f"<h3>Failing turns ({c['failing_turn_count']})</h3>")
            for f in c["failing_turns"][:limit]:
                summary = (f"{f['case']} turn {f['turn']} (trial {f['trial']}, {f['domain']}, {f['kind']}, "
                           f"{f['user']}): {f['message']} — {', '.join(f['failed'])}")
                body = {k: f[k] for k in ("missing", "unbacked", "repetition", "echo", "tools", "latency_ms")}
                out.append(f"<details><summary>{escape(summary)}</summary><pre>{escape(f['shown'])}</pre><pre>"
                           f"{escape(json.dumps(body, ensure_ascii=False, default=str))}</pre></details>")
    return "".join(out)


def _passk_section(models: dict[str, Any]) -> str:
    out = ["<h2>pass^k (τ-bench)</h2>"]
    for label, m in models.items():
        ks = sorted({k for s in m["suites"].values() for k in s["pass^k"]}, key=int)
        rows = [[name, *[s["pass^k"].get(k) for k in ks]] for name, s in m["suites"].items()]
        out.append(f"<h3>{escape(label)}</h3>" + _table(["suite", *[f"k={k}" for k in ks]], rows))
    return "".join(out)


def _routing_section(models: dict[str, Any]) -> str:
    rows = []
    for label, m in models.items():
        rg = m["routing_and_grammar"]
        for mode in ("with_routing_and_grammar", "without_routing_and_grammar"):
            rows.append([label, mode.replace("_", " "), rg[mode]["tool_choice"], rg[mode]["tool_and_args"],
                         rg[mode]["schema_valid"], rg["cases"]])
    return ("<h2>Routing + grammar vs. all tools in the prompt, free-text JSON</h2>" +
            _table(["model", "mode", "tool choice", "tool + args", "schema-valid", "cases"], rows))


def _confusion_section(models: dict[str, Any]) -> str:
    out = ["<h2>Tool confusion (expected first tool → chosen)</h2>"]
    for label, m in models.items():
        table = m["confusion"]
        chosen = sorted({c for row in table.values() for c in row})
        rows, classes = [], []
        for want, row in table.items():
            rows.append([want, *[row.get(c, "") for c in chosen]])
            classes.append(["", *["good" if c == want else ("bad" if row.get(c) else "") for c in chosen]])
        out.append(f"<h3>{escape(label)}</h3>" + _table(["expected \\ chosen", *chosen], rows, classes))
    return "".join(out)


def _comparison_section(comparison: dict[str, Any] | None) -> str:
    if not comparison:
        return ""
    out = [f"<h2>Compared with the run of {escape(str(comparison.get('previous_created_at')))}</h2>"]
    for label, c in comparison["models"].items():
        rows, classes = [], []
        for kind in ("suites", "metrics"):
            for name, d in c[kind].items():
                rows.append([kind, name, d["before"], d["after"], d["delta"]])
                classes.append(["", "", "", "", "bad" if d["regression"] else ""])
        for name, d in c["structural"].items():
            rows.append(["structural", name, d["before"], d["after"], (d["after"] or 0) - (d["before"] or 0)])
            classes.append(["", "", "", "", "bad" if d["regression"] else ""])
        regressions = ", ".join(c["regressions"]) or "none"
        out.append(f"<h3>{escape(label)}</h3><p>Regressions: <b class=\"{'bad' if c['regressions'] else 'good'}\">"
                   f"{escape(regressions)}</b>; newly failing cases: {escape(', '.join(c['newly_failing']) or 'none')}"
                   f"; newly passing: {escape(', '.join(c['newly_passing']) or 'none')}</p>" +
                   _table(["kind", "name", "before", "after", "delta"], rows, classes))
    return "".join(out)


def _failures_section(models: dict[str, Any], limit: int = 150) -> str:
    out = ["<h2>Failures with transcripts</h2>"]
    for label, m in models.items():
        fails = m["failures"]
        out.append(f"<h3>{escape(label)}: {len(fails)} failed trials</h3>")
        for f in fails[:limit]:
            head = (f"{f['suite']} / {f['case']} (trial {f['trial']}): {', '.join(f['failed_checks'])}"
                    f"{' — ' + '; '.join(f['problems']) if f['problems'] else ''}")
            body = {"message": f["message"], "expect": f["expect"], "expected_figure": f["expected_figure"],
                    "transcript": f["transcript"]}
            out.append(f"<details><summary>{escape(head)}</summary><pre>"
                       f"{escape(json.dumps(body, indent=1, ensure_ascii=False, default=str))}</pre></details>")
        if len(fails) > limit:
            out.append(f"<p class='muted'>{len(fails) - limit} more in the JSON report.</p>")
    return "".join(out)


def render_html(report: dict[str, Any]) -> str:
    models = report["models"]
    monitors = report.get("monitors") or {}
    monitor_html = ("<h2>Monitors (not gates)</h2><pre>" + escape(json.dumps(monitors, indent=1)) + "</pre>"
                    if monitors else "<p class='muted'>ragas faithfulness / answer relevancy: no judge configured."
                                     "</p>")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Nexus eval report</title>"
            f"<style>{CSS}</style></head><body><h1>Nexus evaluation report</h1>"
            f"<p class='muted'>{escape(str(report['created_at']))} · trials per case: {report['trials']} · "
            f"suites: {escape(', '.join(report['suites']) or 'all')} · models: {escape(', '.join(models))}</p>" +
            _models_section(models) + _conversations_section(models) + _routing_section(models) +
            _passk_section(models) + monitor_html +
            _comparison_section(report.get("comparison")) + _confusion_section(models) + _failures_section(models) +
            "</body></html>")
