"""Builders for consultation tests: a consultation in any phase, with a draft split from real text."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from consultation.drafting import periods
from consultation.drafting.split import split_text
from consultation.models import (
    Channel,
    Consultation,
    ConsultationStatus,
    DraftUnitRow,
    SecrecyResult,
)
from core.db import utcnow
from core.extensions import db
from core.models import CalendarDay, Department, User

# Three articles in one chapter, the way district drafts are written.
STATUTE_DRAFT = """第一章 总则

第一条 为了规范本区住宅小区电动自行车充电管理，制定本办法。

第二条 本办法适用于本区行政区域内的住宅小区。

第三条 物业服务企业应当每日巡查充电场所。
"""


@pytest.fixture
def known_holiday_calendars(app: Flask) -> None:
    """Periods may run into years the holiday package does not ship yet; tests enter them as an admin would."""
    this_year = utcnow().year
    for year in range(this_year, this_year + 3):
        day = date(year, 1, 1)
        if db.session.get(CalendarDay, day) is None:
            db.session.add(CalendarDay(day=day, is_workday=False, note="元旦"))
    db.session.flush()


def days_from_now(days: float) -> datetime:
    return utcnow() + timedelta(days=days)


def last_day_from_today(days: int) -> datetime:
    """23:59:59 Asia/Shanghai `days` days from today: how end dates are entered."""
    return periods.end_of_day(periods.local_date(utcnow()) + timedelta(days=days))


def make_consultation(
    department: Department,
    *,
    status: ConsultationStatus = ConsultationStatus.SCHEDULED,
    phase: str = "open",
    created_by: User | None = None,
    draft: str = STATUTE_DRAFT,
    **fields: Any,
) -> Consultation:
    """A consultation of `department`; published ones are upcoming, open or closed by their dates."""
    starts = {"open": days_from_now(-2), "upcoming": days_from_now(3), "closed": days_from_now(-60)}
    ends = {"open": last_day_from_today(40), "upcoming": last_day_from_today(45), "closed": last_day_from_today(-5)}
    values: dict[str, Any] = {
        "title": "《东洲区住宅小区电动自行车充电管理办法（征求意见稿）》",
        "doc_type": "major_decision",
        "contact_phone": "024-56620078",
        "contact_email": "housing@dongzhou.example.cn",
        "contact_address": "东洲区东洲路66号",
        "explanation": "## 起草背景\n\n近年来电动自行车火灾多发。",
        "channels": [Channel.ONLINE.value, Channel.EMAIL.value],
        "start_at": starts[phase],
        "end_at": ends[phase],
        "status": status,
        "created_by_id": created_by.id if created_by else None,
    }
    if status.is_published:
        values.update(secrecy_result=SecrecyResult.CLEARED, secrecy_reviewed_at=utcnow())
    values.update(fields)
    consultation = Consultation(department=department, **values)
    consultation.units = [
        DraftUnitRow(
            key=u.key, kind=u.kind, number=u.number, title=u.title, text=u.text, parent_key=u.parent, position=i
        )
        for i, u in enumerate(split_text(draft))
    ]
    db.session.add(consultation)
    db.session.flush()
    return consultation
