"""Single days as people say them when planning ahead: "2026-12-21", "today", "tomorrow", "next Monday", "Friday",
"December 21", "21 Dec", "end of next month", "Q1 2027". Used for leave dates and expected close dates, so bare
weekdays and month-days mean the next such day, not the last one."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from erp_core.errors import ErrorCode, NexusError, refused_value
from erp_core.resolve.periods import resolve_period

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
EXAMPLES = ["2026-12-21", "tomorrow", "next Monday", "Friday", "December 21", "21 Dec", "end of next month",
            "Q1 2027"]


def _next_month_day(today: dt.date, month: int, day: int, said: str) -> dt.date:
    for year in (today.year, today.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            raise refused_value(ErrorCode.VALIDATION_FAILED, f"not a date: {said!r}", said,
                                candidates=EXAMPLES) from None
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable: next year's date is always ahead")


def resolve_day(text: str, today: dt.date) -> dt.date:
    """The day ``text`` names, looking forward from ``today``.

    Raises:
        NexusError(VALIDATION_FAILED): not a day; the accepted forms come back as candidates.
    """
    said = " ".join(text.strip().lower().replace(",", " ").split())
    said = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", said)
    if said in ("today", "now"):
        return today
    if said == "tomorrow":
        return today + dt.timedelta(days=1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", said):
        try:
            return dt.date.fromisoformat(said)
        except ValueError:
            raise refused_value(ErrorCode.VALIDATION_FAILED, f"not a date: {text!r}", text,
                                  candidates=EXAMPLES) from None
    if m := re.fullmatch(r"(next |this |on )?([a-z]+)", said):
        weekday = _WEEKDAYS.get(m.group(2))
        if weekday is not None:
            return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if m := re.fullmatch(r"([a-z]+) (\d{1,2})(?: (\d{4}))?", said) or re.fullmatch(r"(\d{1,2}) ([a-z]+)(?: (\d{4}))?",
                                                                                    said):
        first, second, year = m.groups()
        month_word, day = (first, second) if not first.isdigit() else (second, first)
        month = _MONTHS.get(month_word)
        if month:
            if year:
                return _next_month_day(dt.date(int(year), 1, 1), month, int(day), text)
            return _next_month_day(today, month, int(day), text)
    if said.startswith("end of next month"):
        y, mo = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return dt.date(y, mo, calendar.monthrange(y, mo)[1])
    said = said.removeprefix("end of ")
    if said in _MONTHS:  # a bare month ahead of us: its last day this year, or next year once it has passed
        month = _MONTHS[said]
        year = today.year if month >= today.month else today.year + 1
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    try:
        return resolve_period(said, today).end
    except NexusError:
        raise refused_value(ErrorCode.VALIDATION_FAILED, f"not a date: {text!r}", text,
                                  candidates=EXAMPLES) from None
