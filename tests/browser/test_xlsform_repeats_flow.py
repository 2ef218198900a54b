"""A household survey imported from an XLSForm, answered on a phone: the repeat group's "Add another" adds a member
without losing what was typed, Enter in a field goes on (not "Remove"), and the answers are stored one list."""

from __future__ import annotations

import io
from datetime import timedelta

from playwright.sync_api import expect

from core.extensions import db
from surveys.models import Answer, ReviewStatus
from surveys.transfer.xlsform_import import import_workbook
from tests.factories import make_department, make_user
from tests.surveys.test_repeats import _household_form


def test_a_resident_adds_household_members_on_a_phone(live_server, phone, shot) -> None:
    department = make_department()
    report = import_workbook(io.BytesIO(_household_form()), department.id, make_user("editor", department), "户.xlsx")
    survey = report.survey
    survey.status = ReviewStatus.APPROVED
    survey.starts_at -= timedelta(days=30)
    db.session.commit()

    phone.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    phone.goto(f"{live_server.url}/s/{survey.short_code}")
    phone.get_by_label("村名").fill("新屯村")
    phone.get_by_role("button", name="Next page").click()
    phone.get_by_label("姓名").fill("王芳")
    phone.get_by_label("年龄").fill("40")
    phone.get_by_role("radio", name="进城务工").check()
    phone.get_by_role("button", name="Add another").click()
    second = phone.get_by_role("group", name="Entry 2")
    expect(second).to_be_visible()
    assert phone.get_by_role("group", name="Entry 1").get_by_label("姓名").input_value() == "王芳"
    second.get_by_label("姓名").fill("王小明")
    second.get_by_label("年龄").fill("8")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "household")
    second.get_by_label("年龄").press("Enter")  # the form's default button: Submit, never "Remove entry 1"
    expect(phone.get_by_text("Your answers have been received")).to_be_visible()
    stored = db.session.scalar(db.select(Answer.value).where(Answer.question_code == "member"))
    assert stored == [{"member_name": "王芳", "age": 40, "work": "city job"}, {"member_name": "王小明", "age": 8}]
