"""Reading CSV files with line numbers, so every problem can be reported as ``file:line``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from erp_core.errors import Issue, validation_error


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its values by column name and where it is (for messages)."""

    values: dict[str, str]
    where: str

    def get(self, column: str) -> str:
        return self.values.get(column, "")


def issue(code: str, message: str, where: str) -> Issue:
    """An issue located at ``file:line`` (the location travels in ``field``, the message repeats it for people)."""
    return Issue(code, f"{where}: {message}", where)


def read_rows(path: Path, required: Sequence[str], optional: Sequence[str] = ()) -> list[Row]:
    """All rows of a CSV file with a header; raises VALIDATION_FAILED when the file or its header is unusable."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise validation_error([Issue("unreadable_file", f"{name}: {exc}", name)]) from None
    return rows_of_text(text, name, required, optional)


def rows_of_text(text: str, name: str, required: Sequence[str], optional: Sequence[str] = ()) -> list[Row]:
    """``read_rows`` over text already read (``name`` is what messages call the file)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise validation_error([Issue("empty_file", f"{name}: the file is empty", f"{name}:1")]) from None
    missing = [column for column in required if column not in header]
    unknown = [column for column in header if column not in required and column not in optional]
    problems = []
    if missing:
        problems.append(Issue("missing_columns", f"{name}:1: missing columns {', '.join(missing)} (expected "
                                                 f"{','.join(required)})", f"{name}:1"))
    if unknown:
        problems.append(Issue("unknown_columns", f"{name}:1: unknown columns {', '.join(unknown)} (known: "
                                                 f"{','.join([*required, *optional])})", f"{name}:1"))
    if problems:
        raise validation_error(problems)
    return list(_rows(reader, header, name))


def _rows(reader: Any, header: list[str], name: str) -> Iterator[Row]:
    # A quoted field may span lines: a record's line is the one it starts on.
    start = reader.line_num + 1
    for cells in reader:
        number, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        values = dict(zip(header, (cell.strip() for cell in cells), strict=False))
        if len(cells) > len(header):
            values["__extra__"] = ",".join(cells[len(header):])
        yield Row(values, f"{name}:{number}")
