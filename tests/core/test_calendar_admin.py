"""The admin enters next year's holiday calendar; working-day periods use it at once."""

from __future__ import annotations

from datetime import date

from core.audit import AuditEvent
from core.extensions import db
from core.holidays import load_workday_calendar
from core.models import CalendarDay
from tests.factories import holiday_notice

CALENDAR_2027 = holiday_notice(2027, "2027-10-09 上班")


def test_admin_enters_a_year_and_the_calendar_uses_it(auth, client, app) -> None:
    auth.login_as("admin")
    response = client.post("/admin/calendar/", data={"year": 2027, "days": CALENDAR_2027})
    assert response.headers["Location"] == "/admin/calendar/"
    with app.test_request_context():
        calendar = load_workday_calendar()
        assert calendar.covers(2027)
        assert not calendar.is_workday(date(2027, 10, 4))  # a Monday off
        assert calendar.is_workday(date(2027, 10, 9))  # a make-up Saturday
    page = client.get("/admin/calendar/").get_data(as_text=True)
    assert "<td>2027</td><td>16</td><td>1</td>" in page
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "calendar.replace_year")) is not None


def test_entering_a_year_again_replaces_it(auth, client) -> None:
    auth.login_as("admin")
    client.post("/admin/calendar/", data={"year": 2027, "days": CALENDAR_2027})
    client.post("/admin/calendar/", data={"year": 2027, "days": holiday_notice(2027, "2027-12-31 休")})
    days = {row.day: row.is_workday for row in db.session.scalars(db.select(CalendarDay))}
    assert days[date(2027, 12, 31)] is False and date(2027, 10, 9) not in days


def test_a_partial_year_is_refused_and_leaves_the_year_provisional(auth, client, app) -> None:
    """One day entered must not make the whole year count as known: periods there would be counted wrongly."""
    auth.login_as("admin")
    text = "2027-02-08..2027-02-12 休\n2027-02-06 上班"
    page = client.post("/admin/calendar/", data={"year": 2027, "days": text}).get_data(as_text=True)
    assert "不是2027年的完整放假安排" in page
    assert "2027-01-01、2027-05-01、2027-10-01、2027-10-02、2027-10-03" in page
    assert "2027-02-06 上班" in page  # what was typed is still in the form
    assert db.session.scalar(db.select(CalendarDay)) is None
    with app.test_request_context():
        assert not load_workday_calendar().covers(2027)


def test_bad_line_is_refused_with_its_number_and_text_kept(auth, client) -> None:
    auth.login_as("admin")
    text = "2027-10-01 休\n2027/10/02 休\n"
    page = client.post("/admin/calendar/", data={"year": 2027, "days": text}).get_data(as_text=True)
    assert "第2行" in page and "2027/10/02" in page
    assert "2027-10-01 休" in page  # what was typed is still in the form
    assert db.session.scalar(db.select(CalendarDay)) is None


def test_day_outside_the_year_is_refused(auth, client) -> None:
    auth.login_as("admin")
    page = client.post("/admin/calendar/", data={"year": 2027, "days": "2028-01-01 休"}).get_data(as_text=True)
    assert "2028-01-01" in page
    assert db.session.scalar(db.select(CalendarDay)) is None


def test_only_admins_enter_the_calendar(auth, client) -> None:
    auth.login_as("editor")
    assert client.get("/admin/calendar/").status_code == 403
