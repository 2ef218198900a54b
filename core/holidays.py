"""The holiday calendar as the site uses it: the package's years plus the years the admin has entered.

Working days in a year known to neither are counted with weekends only and shown as provisional; features
register a re-check (`on_year_entered`) that runs when the admin enters such a year, without core importing them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import Flask, current_app, g

from core import audit
from core.extensions import db
from core.models import CalendarDay
from core.workdays import WorkdayCalendar, parse_calendar_text

# Called with the year just entered (after the flush); returns how many items it flagged.
YearEnteredListener = Callable[[int], int]


class CalendarYearError(ValueError):
    """Pasted text names a day outside the year being entered."""


# 全国年节及纪念日放假办法 (as amended in 2024, in force from 2025) gives 13 days off a year, five of them on fixed
# dates: 元旦 1 January, 劳动节 1 May, 国庆节 1 to 3 October. The State Council's notice for a year lists them all,
# with the weekends joined to them, so an entry without them, or with fewer days off, is not the whole notice.
FIXED_DAYS_OFF = ((1, 1), (5, 1), (10, 1), (10, 2), (10, 3))
STATUTORY_DAYS_OFF = 13


class IncompleteCalendarError(ValueError):
    """The pasted calendar cannot be a whole year's notice: a fixed holiday is missing or too few days are off."""

    def __init__(self, year: int, missing: list[date], days_off: int) -> None:
        super().__init__(f"{year}: missing {missing}, {days_off} days off")
        self.year, self.missing, self.days_off = year, missing, days_off


def check_whole_year(year: int, days: dict[date, bool]) -> None:
    """Refuse a partial entry: entering a year marks all of it as known, so it must hold the whole notice."""
    missing = [date(year, month, day) for month, day in FIXED_DAYS_OFF if days.get(date(year, month, day)) is not False]
    days_off = sum(1 for is_workday in days.values() if not is_workday)
    if missing or days_off < STATUTORY_DAYS_OFF:
        raise IncompleteCalendarError(year, missing, days_off)


@dataclass(frozen=True)
class YearEntered:
    """What entering a year did: the days stored and the items the re-checks flagged."""

    days: int
    flagged: int


def on_year_entered(app: Flask, listener: YearEnteredListener) -> None:
    """Run `listener` whenever the admin enters or replaces a year (e.g. to re-check provisional periods)."""
    app.extensions.setdefault("minyi_calendar_listeners", []).append(listener)


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


def replace_year(year: int, text: str) -> YearEntered:
    """Replace the admin's entries for one year with the pasted calendar, then run the re-checks.

    Flushes, never commits; raises on bad text before anything changes.
    """
    days = parse_calendar_text(text)
    outside = sorted(day for day in days if day.year != year)
    if outside:
        raise CalendarYearError(outside[0].isoformat())
    check_whole_year(year, days)
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
    listeners: list[YearEnteredListener] = current_app.extensions.get("minyi_calendar_listeners", [])
    return YearEntered(days=len(days), flagged=sum(listener(year) for listener in listeners))
