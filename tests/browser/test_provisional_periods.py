"""Issue 11 in a browser: an editor saves a working-day consultation ending in a year the holiday calendar lacks.

The year comes from the installed package (never hard-coded), and the `known_holiday_calendars` fixture is not
used: the calendar really is missing here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from consultation.drafting import periods
from consultation.models import Consultation
from core.db import utcnow
from core.extensions import db
from core.models import Role
from core.workdays import PACKAGE_LAST_YEAR, WorkdayCalendar
from tests.browser.test_consultation_flows import _fits, _log_in
from tests.consultation.conftest import make_consultation
from tests.factories import holiday_notice, make_department, make_user

FIRST_MISSING_YEAR = PACKAGE_LAST_YEAR + 1


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_an_editor_saves_a_period_into_a_missing_year_and_sees_it_is_provisional(
    live_server, request, shot, device
) -> None:
    page = request.getfixturevalue(device)
    department = make_department(name="区住建局")
    editor = make_user(Role.EDITOR, department, email="editor@example.cn")
    db.session.commit()
    _log_in(page, live_server.url, editor.email)

    page.goto(f"{live_server.url}/manage/consultations/new")
    page.fill("#title", "《东洲区老旧小区加装电梯补贴办法（征求意见稿）》")
    page.select_option("#doc_type", "normative_doc")
    page.fill("#start_at", f"{FIRST_MISSING_YEAR - 1}-12-28T09:00")
    page.fill("#end_date", date(FIRST_MISSING_YEAR, 1, 29).isoformat())
    page.fill("#explanation", "起草说明正文")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/draft")

    with live_server.app.app_context():
        consultation_id = db.session.scalar(db.select(Consultation.id))
    page.goto(f"{live_server.url}/manage/consultations/{consultation_id}")
    expect(page.locator("#period-provisional")).to_contain_text(f"{FIRST_MISSING_YEAR} 年的节假日安排尚未录入")
    expect(page.locator("#minimum-end .badge.warn")).to_be_visible()
    _fits(page)
    shot(page, "detail")
    page.goto(f"{live_server.url}/manage/consultations/{consultation_id}/edit")
    expect(page.locator("#period-provisional")).to_be_visible()
    _fits(page)
    shot(page, "form")


def test_the_admin_enters_the_missing_year_and_the_editor_finds_the_short_period_on_the_dashboard(
    live_server, desktop, phone, shot
) -> None:
    department = make_department(name="区住建局")
    editor = make_user(Role.EDITOR, department, email="editor@example.cn")
    admin = make_user(Role.ADMIN, email="admin@example.cn")
    today = periods.local_date(utcnow())
    start = datetime.combine(
        max(today + timedelta(days=1), date(FIRST_MISSING_YEAR - 1, 12, 24)), time(9), tzinfo=periods.SHANGHAI
    )
    # Published with the weekends-only minimum; the calendar then makes its last day a holiday.
    guessed_end = periods.minimum_end(periods.DOCUMENT_TYPES["normative_doc"], start, WorkdayCalendar())
    consultation = make_consultation(department, doc_type="normative_doc", start_at=start, end_at=guessed_end)
    db.session.commit()
    last_day = periods.local_date(guessed_end)

    _log_in(desktop, live_server.url, admin.email)
    desktop.goto(f"{live_server.url}/admin/calendar/")
    desktop.fill("#year", str(last_day.year))
    desktop.fill("#days", holiday_notice(last_day.year, f"{last_day.isoformat()} 休"))
    desktop.click("main form button[type=submit]")
    expect(desktop.locator(".flash-error")).to_contain_text("1 项已排期或正在进行的征求意见现已短于最短期限")
    shot(desktop, "calendar")

    _log_in(phone, live_server.url, editor.email)
    section = phone.locator("#dashboard-short-periods")
    expect(section.locator(f"a[href='/manage/consultations/{consultation.id}']")).to_be_visible()
    _fits(phone)
    shot(phone, "dashboard")
