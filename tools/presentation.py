"""How a tool's result presents itself to a person: a headline stating the asked figures, tables, a series.

The composed answer a user reads is rendered from these typed values, never written by the small model
(ARCHITECTURE.md, the read path). Clients receive the headline as ``token`` text and each table as a ``table`` SSE
event (the widget draws it, Slack turns it into blocks); text-only clients (the OpenAI-compatible API, the terminal
chat) get :meth:`Table.markdown`.

Cells are display strings, already formatted for people (thousands separators, currency, dates in words); the
figures behind them stay in the tool's ``data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Series:
    """A time series a chart can draw: x labels (periods in words) and their values (plain decimal strings)."""

    label: str
    points: tuple[tuple[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "points": [list(p) for p in self.points]}


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    series: Series | None = None

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.title!r}: a row has {len(row)} cells for {len(self.columns)} columns")

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title, "columns": list(self.columns),
                                "rows": [list(r) for r in self.rows]}
        if self.series is not None:
            body["series"] = self.series.as_dict()
        return body

    def markdown(self) -> str:
        """GitHub-flavoured Markdown: a bold title line, then the table. Pipes in cells are escaped."""

        def cells(values: tuple[str, ...]) -> str:
            return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

        lines = [f"**{self.title}**", "", cells(self.columns), "|" + "|".join("---" for _ in self.columns) + "|"]
        lines += [cells(row) for row in self.rows]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Presentation:
    """What the user reads for one tool result.

    ``headline`` states the asked figures in a sentence or two ("Revenue in Q3 2026 (Jul–Sep): 17,056,593.73 USD.").
    ``suggestions`` are follow-ups the assistant can answer (shown as chips).
    """

    headline: str
    tables: tuple[Table, ...] = ()
    suggestions: tuple[str, ...] = field(default=())

    def markdown(self) -> str:
        return "\n\n".join([self.headline, *(t.markdown() for t in self.tables)])
