"""Issue 11: consultations run into a year whose holiday calendar is missing; they save, marked provisional.

No test here may depend on which year that is: the first missing year comes from the installed package, so the
tests keep working when a newer `chinesecalendar` ships (and the fixture `known_holiday_calendars` is not used).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from consultation.drafting import periods, services
from consultation.handling import feedback
from consultation.legality import gate as legality
from consultation.models import Consultation, ConsultationStatus
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from core.models import Role
from core.workdays import PACKAGE_LAST_YEAR, WorkdayCalendar
from tests.consultation.conftest import make_consultation
from tests.factories import holiday_notice, make_department

FIRST_MISSING_YEAR = PACKAGE_LAST_YEAR + 1
EN = {"Accept-Language": "en"}
WEEKDAYS_ONLY = WorkdayCalendar()
NORMATIVE = periods.DOCUMENT_TYPES["normative_doc"]


@pytest.fixture
def department(app):
    return make_department(name="区住建局", office_phone="024-56620078")


def _form(department, **overrides):
    data = {
        "department_id": str(department.id),
        "title": "《东洲区住宅小区电动自行车充电管理办法（征求意见稿）》",
        "contact_phone": "024-56620078",
        "explanation": "起草说明正文",
        "channels": ["online"],
        "comment_display": "hidden",
    }
    data.update(overrides)
    return data


def _shanghai(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=periods.SHANGHAI)


def _start_before_missing_year() -> datetime:
    """A start still ahead whose 7-working-day minimum runs into a year the calendar lacks."""
    today = periods.local_date(utcnow())
    return _shanghai(max(today + timedelta(days=1), date(FIRST_MISSING_YEAR - 1, 12, 24)))


def _guessed_minimum_end(start: datetime) -> datetime:
    return periods.minimum_end(NORMATIVE, start, WEEKDAYS_ONLY)


def test_thirty_calendar_days_from_december_10_save_though_next_years_calendar_is_missing(client, auth, department):
    auth.login_as(Role.EDITOR, department)
    start = date(FIRST_MISSING_YEAR - 1, 12, 10)
    data = _form(
        department,
        doc_type="major_decision",
        start_at=f"{start.isoformat()}T09:00",
        end_date=(start + timedelta(days=32)).isoformat(),
    )
    response = client.post("/manage/consultations/new", data=data, headers=EN)
    assert response.status_code == 302, response.text
    consultation = db.session.scalar(db.select(Consultation))
    page = client.get(f"/manage/consultations/{consultation.id}", headers=EN).text
    assert 'id="period-provisional"' not in page  # 30 days are 30 days whatever the holidays


def test_working_day_period_into_a_missing_year_saves_and_the_editor_sees_it_is_provisional(client, auth, department):
    auth.login_as(Role.EDITOR, department)
    start = date(FIRST_MISSING_YEAR - 1, 12, 28)
    data = _form(
        department,
        doc_type="normative_doc",
        start_at=f"{start.isoformat()}T09:00",
        end_date=date(FIRST_MISSING_YEAR, 1, 31).isoformat(),
    )
    response = client.post("/manage/consultations/new", data=data, headers=EN)
    assert response.status_code == 302, response.text
    consultation = db.session.scalar(db.select(Consultation))
    detail = client.get(f"/manage/consultations/{consultation.id}", headers=EN).text
    assert 'id="period-provisional"' in detail
    assert f"The holiday calendar for {FIRST_MISSING_YEAR} has not been entered yet" in detail
    assert f"Provisional: no holiday calendar for {FIRST_MISSING_YEAR} yet" in detail
    form = client.get(f"/manage/consultations/{consultation.id}/edit").text
    assert 'id="period-provisional"' in form
    assert f"{FIRST_MISSING_YEAR} 年的节假日安排尚未录入" in form  # Chinese by default


def test_too_short_working_day_period_into_a_missing_year_is_still_refused(client, auth, department):
    auth.login_as(Role.EDITOR, department)
    data = _form(
        department,
        doc_type="policy_doc_other",
        start_at=f"{FIRST_MISSING_YEAR - 1}-12-28T09:00",
        end_date=f"{FIRST_MISSING_YEAR}-01-02",
    )
    response = client.post("/manage/consultations/new", data=data, headers=EN)
    assert response.status_code == 400
    assert "shorter than the minimum" in response.text
    assert db.session.scalar(db.select(Consultation)) is None


def test_the_approver_sees_the_provisional_period_on_the_review_page(client, auth, department):
    start = _shanghai(date(FIRST_MISSING_YEAR - 1, 12, 28))
    consultation = make_consultation(
        department,
        status=ConsultationStatus.IN_REVIEW,
        doc_type="normative_doc",
        start_at=start,
        end_at=periods.end_of_day(date(FIRST_MISSING_YEAR, 1, 31)),
    )
    auth.login_as(Role.APPROVER, department)
    page = client.get(f"/manage/consultations/{consultation.id}/review", headers=EN).text
    assert 'id="period-provisional"' in page
    assert f"Provisional: no holiday calendar for {FIRST_MISSING_YEAR} yet" in page


def test_entering_the_missing_year_flags_a_period_that_became_too_short_and_ends_the_provisional_mark(
    app, client, auth, department
):
    start = _start_before_missing_year()
    guessed_end = _guessed_minimum_end(start)
    short = make_consultation(department, doc_type="normative_doc", start_at=start, end_at=guessed_end)
    roomy = make_consultation(
        department, doc_type="normative_doc", start_at=start, end_at=guessed_end + timedelta(days=14)
    )
    with app.app_context():
        year = services.check_period(short).provisional_years[0]
    editor = auth.login_as(Role.EDITOR, department)
    assert 'id="dashboard-short-periods"' not in client.get("/manage/").text
    auth.logout()

    # The State Council's calendar makes the guessed last day a holiday: the minimum moves one working day on.
    auth.login_as(Role.ADMIN)
    last_day = periods.local_date(guessed_end)
    response = client.post(
        "/admin/calendar/",
        data={"year": year, "days": holiday_notice(year, f"{last_day.isoformat()} 休")},
        headers=EN,
        follow_redirects=True,
    )
    assert "1 scheduled or open consultations are now shorter than their minimum period" in response.text
    flagged = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "consultation.period_below_minimum")
    ).all()
    assert [(event.object_id, event.detail["year"]) for event in flagged] == [(str(short.id), year)]
    assert flagged[0].detail["problems"][0] == "below_minimum"
    auth.logout()

    auth.login(editor.email)
    dashboard = client.get("/manage/", headers=EN).text
    section = dashboard[dashboard.index('id="dashboard-short-periods"') :]
    assert f"/manage/consultations/{short.id}" in section
    assert f"/manage/consultations/{roomy.id}" not in section
    detail = client.get(f"/manage/consultations/{short.id}", headers=EN).text
    assert 'id="period-provisional"' not in detail and "Provisional" not in detail


def test_feedback_due_counted_into_a_missing_year_is_marked_provisional(app, client, auth, department):
    end = periods.end_of_day(date(FIRST_MISSING_YEAR - 1, 12, 20))
    consultation = make_consultation(
        department, doc_type="major_decision", start_at=end - timedelta(days=40), end_at=end
    )
    [item] = feedback.feedback_due([department.id], now=end + timedelta(days=1))
    assert item.due.year == FIRST_MISSING_YEAR and item.provisional_years == [FIRST_MISSING_YEAR]
    auth.login_as(Role.EDITOR, department)
    page = client.get(f"/manage/consultations/{consultation.id}/feedback", headers=EN).text
    assert 'id="due-provisional"' in page


def test_legality_gate_passes_a_provisional_period_and_says_it_is_provisional(app, department):
    start = _shanghai(date(FIRST_MISSING_YEAR - 1, 12, 28))
    end = periods.end_of_day(date(FIRST_MISSING_YEAR, 1, 31))
    consultation = make_consultation(department, doc_type="normative_doc", start_at=start, end_at=end)
    item = legality.checklist(consultation, now=end + timedelta(days=1)).items[0]
    assert item.code == "period_completed"
    assert item.ok and item.provisional_years == (FIRST_MISSING_YEAR,)
