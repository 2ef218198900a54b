"""The holiday calendar as the site uses it: the package's years plus the years the admin has entered."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask import g

from core import audit
from core.extensions import db
from core.models import CalendarDay
from core.workdays import WorkdayCalendar, parse_calendar_text


class CalendarYearError(ValueError):
    """Pasted text names a day outside the year being entered."""


def load_workday_calendar() -> WorkdayCalendar:
    """The calendar with the admin's overrides; a year counts as entered once any of its days is. Cached per request."""
    if "workday_calendar" not in g:
        rows = db.session.execute(db.select(CalendarDay.day, CalendarDay.is_workday)).all()
        overrides = {day: is_workday for day, is_workday in rows}
        g.workday_calendar = WorkdayCalendar(overrides, declared_years={day.year for day in overrides})
    return g.workday_calendar


def entered_years() -> dict[int, Counter[bool]]:
    """Each admin-entered year with how many working days and days off it lists."""
    years: dict[int, Counter[bool]] = {}
    for day, is_workday in db.session.execute(db.select(CalendarDay.day, CalendarDay.is_workday)):
        years.setdefault(day.year, Counter())[is_workday] += 1
    return dict(sorted(years.items()))


def replace_year(year: int, text: str) -> int:
    """Replace the admin's entries for one year with the pasted calendar (flushes; raises on bad text)."""
    days = parse_calendar_text(text)
    outside = sorted(day for day in days if day.year != year)
    if outside:
        raise CalendarYearError(outside[0].isoformat())
    db.session.execute(
        db.delete(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    )
    db.session.add_all(CalendarDay(day=day, is_workday=is_workday) for day, is_workday in sorted(days.items()))
    db.session.flush()
    g.pop("workday_calendar", None)
    audit.record(
        "calendar.replace_year",
        detail={"year": year, "workdays": sum(days.values()), "days_off": len(days) - sum(days.values())},
    )
    return len(days)
