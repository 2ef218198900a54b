"""The working-day calendar: State Council holidays with 调休, admin overrides and pasted calendar text."""

from datetime import date, timedelta

import chinese_calendar
import pytest

from core.workdays import PACKAGE_LAST_YEAR, CalendarTextError, WorkdayCalendar, parse_calendar_text

# The first year the installed package does not ship: derived, so the tests hold when a newer package ships.
FIRST_MISSING_YEAR = PACKAGE_LAST_YEAR + 1

# A hypothetical 2027 National Day schedule as an admin would paste it before the package ships 2027
# (1 Oct 2027 is a Friday; 26 Sep is a Sunday and 9 Oct a Saturday).
CALENDAR_2027_TEXT = """\
# 2027 国庆节（示例）
2027-09-26 上班   # 周日补班
2027-10-01..2027-10-07 休
2027-10-09 班
"""


def _package_dates(table: dict[date, str], holiday: chinese_calendar.Holiday, year: int) -> set[date]:
    return {day for day, name in table.items() if name == holiday.value and day.year == year}


def test_2025_spring_festival_holidays_from_the_package_are_days_off():
    calendar = WorkdayCalendar()
    festival = _package_dates(chinese_calendar.holidays, chinese_calendar.Holiday.spring_festival, 2025)
    # Cross-check with the State Council notice: 1月28日至2月4日放假调休，共8天.
    assert {date(2025, 1, 28) + timedelta(days=offset) for offset in range(8)} <= festival
    assert not any(calendar.is_workday(day) for day in festival)


def test_2025_spring_festival_make_up_weekend_days_are_working_days():
    calendar = WorkdayCalendar()
    make_up = _package_dates(chinese_calendar.workdays, chinese_calendar.Holiday.spring_festival, 2025)
    # The notice: 1月26日（周日）、2月8日（周六）上班.
    assert make_up == {date(2025, 1, 26), date(2025, 2, 8)}
    assert all(day.weekday() >= 5 and calendar.is_workday(day) for day in make_up)


def test_2026_national_day_week_is_off_and_its_make_up_days_are_worked():
    calendar = WorkdayCalendar()
    assert not any(calendar.is_workday(date(2026, 10, day)) for day in range(1, 8))
    assert calendar.is_workday(date(2026, 9, 20))  # Sunday 补班
    assert calendar.is_workday(date(2026, 10, 10))  # Saturday 补班
    assert calendar.is_workday(date(2026, 10, 8))


def test_plain_weekend_is_not_a_working_day():
    assert not WorkdayCalendar().is_workday(date(2026, 3, 7))  # an ordinary Saturday


def test_seven_working_days_after_a_day_before_national_day_skip_the_holiday_and_count_make_up_saturday():
    calendar = WorkdayCalendar()
    # From Tue 29 Sep 2026 (not counted): 30 Sep, 8 Oct, 9 Oct, Sat 10 Oct (补班), 12, 13, 14 Oct.
    assert calendar.add_workdays(date(2026, 9, 29), 7) == date(2026, 10, 14)
    assert calendar.workdays_between(date(2026, 9, 29), date(2026, 10, 14)) == 7


def test_start_day_is_not_counted():
    calendar = WorkdayCalendar()
    assert calendar.add_workdays(date(2026, 3, 2), 1) == date(2026, 3, 3)
    assert calendar.workdays_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert calendar.add_workdays(date(2026, 3, 2), 0) == date(2026, 3, 2)


def test_workdays_between_is_zero_when_end_is_before_start():
    assert WorkdayCalendar().workdays_between(date(2026, 3, 10), date(2026, 3, 2)) == 0


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError, match="negative"):
        WorkdayCalendar().add_workdays(date(2026, 3, 2), -1)


def test_next_workday_after_the_eve_of_2025_national_day_is_after_the_eight_day_break():
    # 2025: 10月1日至8日放假调休.
    assert WorkdayCalendar().next_workday(date(2025, 9, 30)) == date(2025, 10, 9)


def test_admin_override_wins_over_the_package():
    day = date(2026, 3, 2)  # an ordinary Monday, closed by a hypothetical local decision
    assert WorkdayCalendar().is_workday(day)
    assert not WorkdayCalendar(overrides={day: False}).is_workday(day)


def test_year_beyond_the_package_falls_back_to_weekdays_and_is_not_covered():
    calendar = WorkdayCalendar()
    year = FIRST_MISSING_YEAR
    assert calendar.covers(year - 1)
    assert not calendar.covers(year)
    # National Day is certainly a holiday, but nobody has entered it yet: only the weekend counts.
    national_days = [date(year, 10, day) for day in range(1, 8)]
    assert [calendar.is_workday(day) for day in national_days] == [day.weekday() < 5 for day in national_days]
    assert calendar.missing_years(date(year - 1, 12, 1), date(year + 1, 1, 5)) == [year, year + 1]


def test_counting_through_a_missing_year_uses_weekends_and_never_fails():
    calendar = WorkdayCalendar()
    year = FIRST_MISSING_YEAR
    # 20 working days from 20 Dec of the last known year: the feedback deadline's count runs into the missing year.
    due = calendar.add_workdays(date(year - 1, 12, 20), 20)
    assert due.year == year
    first_sunday = date(year, 1, 7) - timedelta(days=(date(year, 1, 7).weekday() + 1) % 7)
    assert calendar.workdays_between(first_sunday, first_sunday + timedelta(days=7)) == 5  # Monday to Friday


def test_pasted_2027_calendar_drives_working_days_once_declared():
    calendar = WorkdayCalendar(overrides=parse_calendar_text(CALENDAR_2027_TEXT), declared_years={2027})
    assert calendar.covers(2027)
    assert calendar.missing_years(date(2027, 1, 1), date(2027, 12, 31)) == []
    assert not calendar.is_workday(date(2027, 10, 1))
    assert calendar.is_workday(date(2027, 9, 26))
    # From Wed 29 Sep 2027: 30 Sep, 8 Oct, Sat 9 Oct (补班), 11, 12, 13, 14 Oct.
    assert calendar.add_workdays(date(2027, 9, 29), 7) == date(2027, 10, 14)


def test_overrides_apply_even_before_the_year_is_declared_complete():
    calendar = WorkdayCalendar(overrides=parse_calendar_text(CALENDAR_2027_TEXT))
    assert not calendar.is_workday(date(2027, 10, 4))
    assert not calendar.covers(2027)


def test_calendar_text_reads_ranges_words_and_comments():
    parsed = parse_calendar_text(CALENDAR_2027_TEXT)
    assert parsed[date(2027, 9, 26)] is True
    assert parsed[date(2027, 10, 9)] is True
    assert [parsed[date(2027, 10, day)] for day in range(1, 8)] == [False] * 7
    assert len(parsed) == 9


def test_calendar_text_accepts_english_words_and_full_width_spaces():
    parsed = parse_calendar_text("2027-02-13　Workday\n2027-02-10 HOLIDAY\n2027-02-11 休息")
    assert parsed == {date(2027, 2, 13): True, date(2027, 2, 10): False, date(2027, 2, 11): False}


@pytest.mark.parametrize(
    ("text", "line_number"),
    [
        ("2027-02-06 上班\n2027-02-31 休", 2),
        ("# header\n\n2027-02-06 maybe", 3),
        ("2027-02-06", 1),
        ("2027-10-07..2027-10-01 休", 1),
        ("2027-01-01..2028-06-01 休", 1),
        ("2027-10-01..2027-10-07 休\n2027-10-03 上班", 2),
    ],
)
def test_bad_calendar_line_is_reported_with_its_line_number(text, line_number):
    with pytest.raises(ValueError, match=rf"^line {line_number}:") as raised:
        parse_calendar_text(text)
    assert isinstance(raised.value, CalendarTextError)
    assert raised.value.line_number == line_number


def test_repeating_a_date_with_the_same_meaning_is_harmless():
    assert parse_calendar_text("2027-10-01..2027-10-03 休\n2027-10-02 休") == {
        date(2027, 10, 1): False,
        date(2027, 10, 2): False,
        date(2027, 10, 3): False,
    }
