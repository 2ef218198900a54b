"""Comment-period rules: document types, their minimum periods, and when a consultation may close.

Counting follows the civil code by analogy (docs/rules.md §1.12): the start day is not counted
(民法典 Art. 201), a period ends at 23:59:59 Asia/Shanghai on its last day, and a calendar-day period whose
last day is not a working day runs on to the next working day (Art. 203). Instants are timezone-aware and
returned in UTC; days are Asia/Shanghai days. Pure Python, so views, services and the scheduler share one
reading of the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from core.workdays import WorkdayCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A design choice (docs/rules.md §5 close_time): the last second of the last day, so the whole day is given.
CLOSE_TIME = time(23, 59, 59)

ConsultationPhase = Literal["upcoming", "open", "closed"]


class PeriodUnit(StrEnum):
    """How a minimum period is counted: "日" as calendar days, "工作日" as State Council working days."""

    CALENDAR_DAY = "calendar_day"
    WORKING_DAY = "working_day"


@dataclass(frozen=True)
class DocumentType:
    """A kind of draft put out for comment and the period rules it carries."""

    code: str
    label_zh: str
    label_en: str
    minimum: int
    unit: PeriodUnit
    # Only these types may run shorter than the minimum, and then only with a reason shown in the notice.
    shortening_allowed: bool
    # Whether legality review (合法性审查) is refused until this consultation is done or exempted.
    legality_gate: bool
    flags: frozenset[str] = frozenset()


DOCUMENT_TYPES: dict[str, DocumentType] = {
    doc_type.code: doc_type
    for doc_type in (
        # 713号 Art. 15: generally ≥ 30 days; may be shortened for urgency with the reason in the notice.
        DocumentType(
            "major_decision",
            "重大行政决策",
            "Major administrative decision",
            30,
            PeriodUnit.CALENDAR_DAY,
            shortening_allowed=True,
            legality_gate=True,
        ),
        # 优化营商环境条例 Art. 62: generally ≥ 30 days; fair-competition review, business associations heard.
        DocumentType(
            "normative_doc_market",
            "涉及市场主体的行政规范性文件",
            "Normative document affecting market entities",
            30,
            PeriodUnit.CALENDAR_DAY,
            shortening_allowed=False,
            legality_gate=True,
            flags=frozenset({"fair_competition_review", "notify_business_associations"}),
        ),
        # 国办发〔2018〕37号: generally ≥ 7 working days, emergencies excepted (docs/rules.md §2, [U]).
        DocumentType(
            "normative_doc",
            "行政规范性文件",
            "Administrative normative document",
            7,
            PeriodUnit.WORKING_DAY,
            shortening_allowed=True,
            legality_gate=True,
        ),
        # 322号 Art. 36 by reference: the conservative reading for generally binding 决定/命令.
        DocumentType(
            "district_binding_decision",
            "区政府决定命令",
            "District government binding decision or order",
            30,
            PeriodUnit.CALENDAR_DAY,
            shortening_allowed=False,
            legality_gate=True,
        ),
        # The seed notice's other policy documents: no national minimum, the district's choice.
        DocumentType(
            "policy_doc_other",
            "其他政策文件",
            "Other policy document",
            7,
            PeriodUnit.WORKING_DAY,
            shortening_allowed=False,
            legality_gate=True,
        ),
    )
}


@dataclass(frozen=True)
class PeriodCheck:
    """The verdict on a planned period, with the figures the form shows next to it."""

    ok: bool
    minimum: int
    unit: PeriodUnit
    actual: int
    minimum_end: datetime
    shortened: bool
    problems: list[str] = field(default_factory=list)
    # Years whose holiday calendar is not known yet, so the minimum was counted with weekends only.
    provisional_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        """Whether the minimum may move once the admin enters a missing year's holiday calendar."""
        return bool(self.provisional_years)


def local_date(instant: datetime) -> date:
    """The Asia/Shanghai calendar day an aware instant falls on."""
    _require_aware(instant)
    return instant.astimezone(SHANGHAI).date()


def end_of_day(day: date) -> datetime:
    """The closing instant of an Asia/Shanghai day (23:59:59 local), in UTC."""
    return datetime.combine(day, CLOSE_TIME, tzinfo=SHANGHAI).astimezone(UTC)


def minimum_last_day(doc_type: DocumentType, start_day: date, calendar: WorkdayCalendar) -> date:
    """The earliest last day of a period starting on `start_day` (not counted) under the type's minimum."""
    if doc_type.unit is PeriodUnit.WORKING_DAY:
        return calendar.add_workdays(start_day, doc_type.minimum)
    last_day = start_day + timedelta(days=doc_type.minimum)
    if not calendar.is_workday(last_day):
        last_day = calendar.next_workday(last_day)
    return last_day


def minimum_end(doc_type: DocumentType, start: datetime, calendar: WorkdayCalendar) -> datetime:
    """The earliest instant (UTC) a consultation opened at `start` may close without shortening."""
    return end_of_day(minimum_last_day(doc_type, local_date(start), calendar))


def period_length(doc_type: DocumentType, start: datetime, end: datetime, calendar: WorkdayCalendar) -> int:
    """The period's length in the type's unit: full days after the start day, up to the last whole day.

    A period that closes before 23:59:59 does not give its closing day in full, so that day is not counted.
    """
    start_day = local_date(start)
    last_day = _last_whole_day(end)
    if last_day <= start_day:
        return 0
    if doc_type.unit is PeriodUnit.WORKING_DAY:
        return calendar.workdays_between(start_day, last_day)
    return (last_day - start_day).days


def check_period(
    doc_type: DocumentType,
    start: datetime,
    end: datetime,
    calendar: WorkdayCalendar,
    shortening_reason: str | None,
) -> PeriodCheck:
    """Whether a consultation may run from `start` to `end`, and if not, why (as problem codes).

    A period shorter than the minimum passes only for a type that allows shortening, with a non-blank reason.
    A working-day minimum that runs into a year the holiday calendar lacks is counted with weekends only and
    marked provisional rather than refused: consultations ending next year must be plannable in December,
    and they are checked again when the admin enters that year (consultation/drafting/period_watch.py). A calendar-day
    minimum is a count of days and never provisional; only its Art. 203 roll-over off a holiday uses the
    calendar, and that re-check covers it too.
    """
    start_day = local_date(start)
    earliest_last_day = minimum_last_day(doc_type, start_day, calendar)
    earliest_end = end_of_day(earliest_last_day)
    actual = period_length(doc_type, start, end, calendar)
    problems: list[str] = []
    shortened = False
    if end <= start:
        problems = ["end_before_start"]
    elif end < earliest_end:
        shortened = True
        # Enough days but a last day that is a holiday (Art. 203) is a different message from too few days.
        shortfall = "below_minimum" if actual < doc_type.minimum else "ends_on_non_working_day"
        if not doc_type.shortening_allowed:
            problems = [shortfall, "shortening_not_allowed"]
        elif not _has_text(shortening_reason):
            problems = [shortfall, "reason_required"]
    guessed: list[int] = []
    if doc_type.unit is PeriodUnit.WORKING_DAY:
        guessed = calendar.missing_years(start_day + timedelta(days=1), earliest_last_day)
    return PeriodCheck(
        ok=not problems,
        minimum=doc_type.minimum,
        unit=doc_type.unit,
        actual=actual,
        minimum_end=earliest_end,
        shortened=shortened,
        problems=problems,
        provisional_years=tuple(guessed),
    )


def check_extension(current_end: datetime, new_end: datetime, reason: str | None) -> list[str]:
    """Problems with moving an open consultation's end to `new_end`: only later, and only with a reason."""
    _require_aware(current_end, new_end)
    problems = []
    if new_end < current_end:
        problems.append("shortening_forbidden")
    elif new_end == current_end:
        problems.append("unchanged")
    if not _has_text(reason):
        problems.append("reason_required")
    return problems


def days_left(end: datetime, now: datetime) -> int:
    """Calendar days left as a resident reads the notice: 0 on the last day and after closing."""
    if now > end:
        return 0
    return max(0, (local_date(end) - local_date(now)).days)


def phase(start: datetime, end: datetime, now: datetime) -> ConsultationPhase:
    """Where a consultation stands at `now`, from its instants alone, so no job has to flip a status."""
    _require_aware(start, end, now)
    if now < start:
        return "upcoming"
    if now <= end:
        return "open"
    return "closed"


def _last_whole_day(end: datetime) -> date:
    """The last Asia/Shanghai day the period gives in full (up to CLOSE_TIME)."""
    _require_aware(end)
    local_end = end.astimezone(SHANGHAI)
    if local_end.time() >= CLOSE_TIME:
        return local_end.date()
    return local_end.date() - timedelta(days=1)


def _has_text(value: str | None) -> bool:
    return bool(value and value.strip())


def _require_aware(*instants: datetime) -> None:
    """Refuse naive datetimes: a naive 23:59:59 could mean Shanghai or UTC, eight hours apart."""
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"timezone-aware datetime required, got naive {instant!r}")
