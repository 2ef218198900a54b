"""A household survey imported from an XLSForm, answered on a phone: the repeat group's "Add another" adds a member
without losing what was typed, Enter in a field goes on (not "Remove"), each member is offered the choices of their
own answers, and the answers are stored one list."""

from __future__ import annotations

import io
from datetime import timedelta

from playwright.sync_api import expect

from core.extensions import db
from surveys.models import Answer, ReviewStatus
from surveys.transfer.xlsform_import import import_workbook
from tests.factories import make_department, make_user
from tests.surveys.test_repeat_rules import open_survey
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


def test_each_household_member_is_offered_the_relations_of_their_own_sex(live_server, phone, shot) -> None:
    """The relation to the head of the household is filtered by the member's sex, per member, and the member's
    label shows the name and age computed in that entry; without JavaScript the entry is shown again with its
    choices once its sex is known."""
    survey = open_survey()
    phone.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    phone.goto(f"{live_server.url}/s/{survey.short_code}")
    phone.get_by_label("村名").fill("新屯村")
    phone.get_by_label("调查年份").fill("2025")
    phone.get_by_role("button", name="Next page").click()
    first = phone.get_by_role("group", name="Entry 1")
    first.get_by_label("姓名").fill("王芳")
    first.get_by_role("radio", name="女", exact=True).check()
    first.get_by_label("出生年份").fill("1985")
    phone.get_by_role("button", name="Add another").click()
    second = phone.get_by_role("group", name="Entry 2")
    expect(second).to_be_visible()
    relation = first.get_by_role("group", name="王芳（40岁）与户主的关系")
    assert relation.locator("label.choice").all_inner_texts() == ["户主", "妻子", "女儿"]
    relation.get_by_role("radio", name="妻子").check()
    second.get_by_label("姓名").fill("王小明")
    second.get_by_role("radio", name="男", exact=True).check()
    second.get_by_label("出生年份").fill("2017")
    phone.get_by_role("button", name="Submit").click()
    expect(second.get_by_text("This entry now asks more")).to_be_visible()  # its choices follow its sex now
    relation = second.get_by_role("group", name="王小明（8岁）与户主的关系")
    assert relation.locator("label.choice").all_inner_texts() == ["户主", "丈夫", "儿子"]
    expect(second.get_by_text("工作")).to_have_count(0)  # an 8-year-old is not asked about work
    assert first.get_by_role("radio", name="妻子").is_checked()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "relations")
    relation.get_by_role("radio", name="儿子").check()
    phone.get_by_role("button", name="Submit").click()
    expect(phone.get_by_text("Your answers have been received")).to_be_visible()
    stored = db.session.scalar(db.select(Answer.value).where(Answer.question_code == "member"))
    assert [(entry["tag"], entry["relation"]) for entry in stored] == [
        ("王芳（40岁）", "wife"),
        ("王小明（8岁）", "son"),
    ]
