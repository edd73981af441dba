"""Tiny inline-SVG charts (no JavaScript, no CDN): grouped bars and a strip plot of latencies."""

from __future__ import annotations

from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2")


def grouped_bars(groups: list[str], series: dict[str, list[float | None]], *, width: int = 760,
                 height: int = 240, max_value: float = 1.0) -> str:
    """One group of bars per label in ``groups``, one bar per series (model); values in [0, max_value]."""
    left, bottom, top = 40, 50, 10
    plot_h = height - bottom - top
    n = max(len(series), 1)
    slot = (width - left) / max(len(groups), 1)
    bar = max(4.0, slot * 0.8 / n)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
                     f'{tick * max_value:g}</text>')
    for gi, group in enumerate(groups):
        x0 = left + gi * slot + slot * 0.1
        for si, (name, values) in enumerate(series.items()):
            value = values[gi]
            if value is None:
                continue
            h = plot_h * min(value, max_value) / max_value
            x = x0 + si * bar
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(name)} {escape(group)}: '
                         f'{value:.3f}</title></rect>')
        parts.append(f'<text x="{left + gi * slot + slot / 2:.1f}" y="{height - bottom + 14}" font-size="11" '
                     f'text-anchor="middle">{escape(group)}</text>')
    for si, name in enumerate(series):
        parts.append(f'<rect x="{left + si * 160}" y="{height - 18}" width="10" height="10" '
                     f'fill="{PALETTE[si % len(PALETTE)]}"/><text x="{left + si * 160 + 14}" y="{height - 9}" '
                     f'font-size="11">{escape(name[:24])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def strip_plot(series: dict[str, list[float]], *, width: int = 760, row_h: int = 36) -> str:
    """Each series' samples as dots on a shared linear axis (ms), with p50 and p95 ticks."""
    from evals.metrics import percentile

    samples = [v for values in series.values() for v in values]
    if not samples:
        return "<p>No latency samples.</p>"
    left, right = 150, 45
    top_value = max(samples) or 1.0
    height = row_h * len(series) + 30
    scale = (width - left - right) / top_value
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">']
    for ri, (name, values) in enumerate(series.items()):
        y = 10 + ri * row_h + row_h / 2
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{escape(name[:22])}'
                     f'</text><line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        for v in values:
            parts.append(f'<circle cx="{left + v * scale:.1f}" cy="{y:.1f}" r="2.5" fill="{PALETTE[ri % 6]}" '
                         f'fill-opacity="0.45"/>')
        for q, colour in ((50, "#111827"), (95, "#dc2626")):
            p = percentile(values, q)
            if p is not None:
                parts.append(f'<line x1="{left + p * scale:.1f}" x2="{left + p * scale:.1f}" y1="{y - 10:.1f}" '
                             f'y2="{y + 10:.1f}" stroke="{colour}" stroke-width="2"><title>p{q} {p:.0f} ms'
                             f'</title></line>')
    axis_y = height - 12
    for frac in (0, 0.25, 0.5, 0.75, 1):
        x = left + frac * top_value * scale
        anchor = "end" if frac == 1 else "middle"  # keep the last label inside the picture
        parts.append(f'<text x="{x:.1f}" y="{axis_y}" font-size="10" text-anchor="{anchor}">'
                     f'{frac * top_value:.0f} ms</text>')
    parts.append("</svg>")
    return "".join(parts)
