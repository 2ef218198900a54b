"""Comment-period rules: minimum ends, holiday extension, shortening, extension and the clock-driven phase."""

from datetime import UTC, date, datetime, timedelta

import pytest

from consultation.drafting.periods import (
    DOCUMENT_TYPES,
    SHANGHAI,
    PeriodUnit,
    check_extension,
    check_period,
    days_left,
    end_of_day,
    minimum_end,
    period_length,
    phase,
)
from core.workdays import PACKAGE_LAST_YEAR, WorkdayCalendar, parse_calendar_text

MAJOR = DOCUMENT_TYPES["major_decision"]
MARKET = DOCUMENT_TYPES["normative_doc_market"]
NORMATIVE = DOCUMENT_TYPES["normative_doc"]
OTHER = DOCUMENT_TYPES["policy_doc_other"]
CALENDAR = WorkdayCalendar()
# The first year the installed package does not ship: derived, so the tests hold when a newer package ships.
FIRST_MISSING_YEAR = PACKAGE_LAST_YEAR + 1


def shanghai(year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def test_document_types_carry_the_minimums_of_the_rules():
    assert (MAJOR.minimum, MAJOR.unit, MAJOR.label_zh) == (30, PeriodUnit.CALENDAR_DAY, "重大行政决策")
    assert (MARKET.minimum, MARKET.unit) == (30, PeriodUnit.CALENDAR_DAY)
    assert "fair_competition_review" in MARKET.flags
    assert (NORMATIVE.minimum, NORMATIVE.unit) == (7, PeriodUnit.WORKING_DAY)
    assert NORMATIVE.label_zh == "行政规范性文件"
    assert DOCUMENT_TYPES["district_binding_decision"].label_zh == "区政府决定命令"
    assert (OTHER.minimum, OTHER.unit, OTHER.label_zh) == (7, PeriodUnit.WORKING_DAY, "其他政策文件")
    assert all(doc_type.label_en and doc_type.legality_gate for doc_type in DOCUMENT_TYPES.values())


def test_close_is_2359_shanghai_which_is_1559_utc_all_year():
    # Asia/Shanghai has no daylight saving: winter and summer give the same UTC instant.
    assert end_of_day(date(2026, 1, 15)) == datetime(2026, 1, 15, 15, 59, 59, tzinfo=UTC)
    assert end_of_day(date(2026, 7, 15)) == datetime(2026, 7, 15, 15, 59, 59, tzinfo=UTC)


def test_seven_working_days_spanning_2026_national_day_end_after_the_make_up_saturday():
    start = shanghai(2026, 9, 29, 10)  # Tuesday; working days: 30 Sep, 8, 9, 10 (补班), 12, 13, 14 Oct
    assert minimum_end(NORMATIVE, start, CALENDAR) == datetime(2026, 10, 14, 15, 59, 59, tzinfo=UTC)
    check = check_period(NORMATIVE, start, end_of_day(date(2026, 10, 14)), CALENDAR, None)
    assert check.ok
    assert (check.actual, check.minimum, check.unit, check.shortened) == (7, 7, PeriodUnit.WORKING_DAY, False)


def test_seven_weekdays_over_national_day_are_not_seven_working_days():
    start = shanghai(2026, 9, 29, 10)
    # Counting Mon–Fri only would close on Thu 8 Oct; the holiday week makes that only 2 working days.
    check = check_period(NORMATIVE, start, end_of_day(date(2026, 10, 8)), CALENDAR, None)
    assert not check.ok
    assert check.actual == 2
    assert check.problems == ["below_minimum", "reason_required"]


def test_start_day_is_the_shanghai_day_even_when_utc_is_still_the_day_before():
    start = datetime(2026, 9, 28, 17, 0, tzinfo=UTC)  # 01:00 on 29 Sep in Shanghai
    assert minimum_end(NORMATIVE, start, CALENDAR) == end_of_day(date(2026, 10, 14))


def test_thirty_days_ending_on_national_day_2025_run_to_the_next_working_day():
    start = shanghai(2025, 9, 1)  # day 30 is 1 Oct; 10月1日至8日放假 → first working day 9 Oct
    assert minimum_end(MAJOR, start, CALENDAR) == datetime(2025, 10, 9, 15, 59, 59, tzinfo=UTC)


def test_thirty_days_ending_in_2026_spring_festival_run_past_the_nine_day_break():
    start = shanghai(2026, 1, 16)  # day 30 is 15 Feb; 2月15日至23日放假 → 24 Feb
    assert minimum_end(MARKET, start, CALENDAR) == end_of_day(date(2026, 2, 24))


def test_thirty_days_ending_on_an_ordinary_saturday_run_to_monday():
    assert minimum_end(MAJOR, shanghai(2026, 2, 5), CALENDAR) == end_of_day(date(2026, 3, 9))


def test_thirty_days_ending_on_a_make_up_saturday_end_that_saturday():
    assert minimum_end(MAJOR, shanghai(2026, 9, 10), CALENDAR) == end_of_day(date(2026, 10, 10))


def test_closing_on_the_holiday_itself_is_flagged_even_with_thirty_days_counted():
    start = shanghai(2025, 9, 1)
    check = check_period(MARKET, start, end_of_day(date(2025, 10, 1)), CALENDAR, None)
    assert check.actual == 30
    assert check.shortened
    assert check.problems == ["ends_on_non_working_day", "shortening_not_allowed"]


def test_closing_before_2359_on_the_last_day_does_not_give_that_day():
    start = shanghai(2026, 9, 29, 10)
    early_close = shanghai(2026, 10, 14, 18)
    assert period_length(NORMATIVE, start, early_close, CALENDAR) == 6
    assert check_period(NORMATIVE, start, early_close, CALENDAR, None).problems[0] == "below_minimum"


def test_major_decision_may_be_shortened_with_a_public_reason():
    start = shanghai(2026, 3, 2)
    check = check_period(MAJOR, start, end_of_day(date(2026, 3, 22)), CALENDAR, "防汛工作紧急，需尽快出台")
    assert check.ok
    assert check.shortened
    assert check.actual == 20
    assert check.problems == []


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_shortening_without_a_reason_is_refused(reason):
    check = check_period(MAJOR, shanghai(2026, 3, 2), end_of_day(date(2026, 3, 22)), CALENDAR, reason)
    assert not check.ok
    assert check.problems == ["below_minimum", "reason_required"]


@pytest.mark.parametrize("doc_type", [MARKET, DOCUMENT_TYPES["district_binding_decision"], OTHER])
def test_types_without_a_shortening_rule_refuse_it_even_with_a_reason(doc_type):
    check = check_period(doc_type, shanghai(2026, 3, 2), end_of_day(date(2026, 3, 4)), CALENDAR, "时间紧")
    assert not check.ok
    assert check.problems == ["below_minimum", "shortening_not_allowed"]


def test_normative_document_may_be_shortened_for_an_emergency():
    end = end_of_day(date(2026, 3, 5))
    check = check_period(NORMATIVE, shanghai(2026, 3, 2), end, CALENDAR, "突发事件应对")
    assert check.ok
    assert check.shortened
    assert check.actual == 3


def test_end_before_start_is_refused():
    start = shanghai(2026, 3, 10)
    check = check_period(MAJOR, start, start - timedelta(days=1), CALENDAR, "理由")
    assert not check.ok
    assert check.problems == ["end_before_start"]
    assert check.actual == 0


def test_working_day_period_into_a_year_without_a_calendar_is_provisional_not_refused():
    year = FIRST_MISSING_YEAR
    start = shanghai(year - 1, 12, 28)
    check = check_period(NORMATIVE, start, end_of_day(date(year, 2, 1)), CALENDAR, None)
    assert check.ok and check.problems == []
    assert check.provisional and check.provisional_years == (year,)
    # Counted with weekends only: the 7th Monday-to-Friday day after the start.
    assert check.minimum_end == end_of_day(CALENDAR.add_workdays(date(year - 1, 12, 28), 7))


def test_too_short_period_into_a_year_without_a_calendar_is_still_refused():
    year = FIRST_MISSING_YEAR
    check = check_period(OTHER, shanghai(year - 1, 12, 28), end_of_day(date(year, 1, 2)), CALENDAR, None)
    assert check.problems == ["below_minimum", "shortening_not_allowed"]
    assert check.provisional


def test_calendar_day_period_into_a_year_without_a_calendar_is_neither_refused_nor_provisional():
    # Issue 11: in December every 30-day consultation ends next year; 30 days are 30 days whatever the holidays.
    start = shanghai(FIRST_MISSING_YEAR - 1, 12, 10)
    check = check_period(MAJOR, start, end_of_day(date(FIRST_MISSING_YEAR, 1, 11)), CALENDAR, None)
    assert check.ok and check.actual == 32
    assert not check.provisional


def test_entering_the_missing_year_ends_the_provisional_mark_and_may_move_the_minimum():
    year = FIRST_MISSING_YEAR
    start = shanghai(year - 1, 12, 28)
    guessed_end = check_period(NORMATIVE, start, end_of_day(date(year, 2, 1)), CALENDAR, None).minimum_end
    guessed_last_day = guessed_end.astimezone(SHANGHAI).date()
    entered = WorkdayCalendar(overrides={guessed_last_day: False}, declared_years={year})
    check = check_period(NORMATIVE, start, guessed_end, entered, None)
    assert not check.provisional
    assert check.minimum_end > guessed_end
    assert check.problems == ["below_minimum", "reason_required"]


def test_long_period_whose_minimum_ends_in_a_known_year_needs_no_new_calendar():
    check = check_period(MAJOR, shanghai(2026, 11, 2), end_of_day(date(2027, 1, 15)), CALENDAR, None)
    assert check.ok


def test_admin_entered_2027_calendar_is_used_for_the_minimum():
    calendar_text = "2027-09-26 上班\n2027-10-01..2027-10-07 休\n2027-10-09 上班\n"
    calendar = WorkdayCalendar(overrides=parse_calendar_text(calendar_text), declared_years={2027})
    start = shanghai(2027, 9, 29)  # Wednesday; working days: 30 Sep, 8, 9 (补班), 11, 12, 13, 14 Oct
    assert minimum_end(NORMATIVE, start, calendar) == end_of_day(date(2027, 10, 14))
    assert check_period(NORMATIVE, start, end_of_day(date(2027, 10, 14)), calendar, None).ok


def test_extension_moves_the_end_later_with_a_reason():
    current_end = end_of_day(date(2026, 4, 1))
    assert check_extension(current_end, current_end + timedelta(days=7), "征求意见较多，延长一周") == []


def test_extension_that_shortens_is_refused():
    current_end = end_of_day(date(2026, 4, 1))
    problems = check_extension(current_end, current_end - timedelta(days=1), "提前结束")
    assert problems == ["shortening_forbidden"]


def test_extension_without_a_reason_is_refused():
    current_end = end_of_day(date(2026, 4, 1))
    assert check_extension(current_end, current_end + timedelta(days=7), " ") == ["reason_required"]
    assert check_extension(current_end, current_end, None) == ["unchanged", "reason_required"]


def test_days_left_follow_the_residents_calendar_day():
    end = end_of_day(date(2026, 10, 14))
    assert days_left(end, shanghai(2026, 10, 13, 23)) == 1
    # 16:30 UTC on the 13th is already 00:30 on the 14th in Shanghai: the last day.
    assert days_left(end, datetime(2026, 10, 13, 16, 30, tzinfo=UTC)) == 0
    assert days_left(end, end + timedelta(seconds=1)) == 0
    assert days_left(end, shanghai(2026, 10, 4)) == 10


def test_phase_follows_the_clock():
    start, end = shanghai(2026, 3, 2, 9), end_of_day(date(2026, 4, 1))
    assert phase(start, end, start - timedelta(seconds=1)) == "upcoming"
    assert phase(start, end, start) == "open"
    assert phase(start, end, shanghai(2026, 4, 1, 23, 59, 59)) == "open"
    assert phase(start, end, shanghai(2026, 4, 2, 0, 0, 0)) == "closed"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        minimum_end(MAJOR, datetime(2026, 3, 2, 9), CALENDAR)
