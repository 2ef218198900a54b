"""Working days under the State Council holiday calendar, including make-up working weekends (调休).

The `chinesecalendar` package ships each year's 放假安排 once the State Council publishes it. For a year
it does not know yet, the admin enters the calendar as overrides (date → is_workday) and declares the year
complete; until then the year falls back to plain Monday–Friday and `covers()` says so, so the UI can warn.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, timedelta

import chinese_calendar

# The package raises NotImplementedError outside the years it ships; read its range from its public tables.
PACKAGE_FIRST_YEAR: int = min(chinese_calendar.holidays).year
PACKAGE_LAST_YEAR: int = max(chinese_calendar.holidays).year

_ONE_DAY = timedelta(days=1)
# A pasted range longer than a year is almost certainly a typo (2027-10-01..2028-10-07).
_MAX_RANGE_DAYS = 366
_WORKDAY_WORDS = frozenset({"上班", "班", "workday"})
_HOLIDAY_WORDS = frozenset({"休", "休息", "holiday"})


def package_covers(year: int) -> bool:
    """Whether the installed `chinesecalendar` ships the holiday schedule for `year`."""
    return PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR


class WorkdayCalendar:
    """Answers "is this a working day?" from admin overrides, then the package, then Monday–Friday."""

    def __init__(self, overrides: Mapping[date, bool] | None = None, declared_years: Collection[int] = ()):
        self._overrides: dict[date, bool] = dict(overrides or {})
        self._declared_years: frozenset[int] = frozenset(declared_years)

    def covers(self, year: int) -> bool:
        """Whether the holidays of `year` are known: shipped by the package or declared by the admin."""
        return package_covers(year) or year in self._declared_years

    def missing_years(self, start: date, end: date) -> list[int]:
        """Years between `start` and `end` (inclusive) whose holiday calendar is not known."""
        return [year for year in range(start.year, end.year + 1) if not self.covers(year)]

    def is_workday(self, day: date) -> bool:
        """Whether government offices work on `day`; an admin override wins over the package."""
        override = self._overrides.get(day)
        if override is not None:
            return override
        if package_covers(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.add_workdays(day, 1)

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start`; `start` itself is not counted (民法典 Art. 201)."""
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; 0 when `end` is not after `start`."""
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            count += self.is_workday(day)
            day += _ONE_DAY
        return count


class CalendarTextError(ValueError):
    """A line of pasted calendar text that could not be read; `line_number` is 1-based."""

    def __init__(self, line_number: int, line: str, problem: str):
        super().__init__(f"line {line_number}: {problem}: {line.strip()!r}")
        self.line_number = line_number
        self.line = line
        self.problem = problem


def parse_calendar_text(text: str) -> dict[date, bool]:
    """Read a calendar pasted by the admin into date → is_workday.

    One entry a line: `2027-02-06 上班`, `2027-02-10 休`, `2027-10-01..2027-10-07 休`; 上班/班/workday and
    休/休息/holiday are accepted, `#` starts a comment. A date given twice with opposite meanings is an error
    rather than a silent last-one-wins.
    """
    result: dict[date, bool] = {}
    for line_number, raw_line in enumerate(text.splitlines(), start=1):
        content = raw_line.split("#", 1)[0].strip()
        if not content:
            continue
        days, is_workday = _parse_calendar_line(content, line_number, raw_line)
        for day in days:
            if result.get(day, is_workday) != is_workday:
                raise CalendarTextError(line_number, raw_line, f"{day} is already given the opposite meaning")
            result[day] = is_workday
    return result


def _parse_calendar_line(content: str, line_number: int, raw_line: str) -> tuple[list[date], bool]:
    """Split one non-empty line into the dates it names and whether they are working days."""
    parts = content.split()
    if len(parts) != 2:
        raise CalendarTextError(line_number, raw_line, "expected a date or range, then 上班 or 休")
    date_part, word = parts[0], parts[1].lower()
    if word in _WORKDAY_WORDS:
        is_workday = True
    elif word in _HOLIDAY_WORDS:
        is_workday = False
    else:
        raise CalendarTextError(line_number, raw_line, f"unknown day kind {parts[1]!r}")
    first_text, _, last_text = date_part.partition("..")
    try:
        first = date.fromisoformat(first_text)
        last = date.fromisoformat(last_text) if last_text else first
    except ValueError:
        raise CalendarTextError(line_number, raw_line, "dates must look like 2027-10-01") from None
    if last < first:
        raise CalendarTextError(line_number, raw_line, "range ends before it starts")
    span = (last - first).days
    if span >= _MAX_RANGE_DAYS:
        raise CalendarTextError(line_number, raw_line, "range is longer than a year")
    return [first + timedelta(days=offset) for offset in range(span + 1)], is_workday
