"""A survey from builder to answers in a real browser: an editor builds it with a condition and a matrix, an
approver approves it, a resident answers on a phone (the condition hides and shows a question, the matrix
is one small question per row), reloads halfway and resumes; a second response is refused."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from core.extensions import db
from surveys.models import Answer, QuestionType, ReviewStatus, Survey
from tests.factories import DEFAULT_PASSWORD, make_department, make_user
from tests.surveys.helpers import make_survey


def _field(page: Any, label: str) -> Any:
    """The form field labelled `label` (a required field's label ends with the words "(required field)")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*(\(required field\))?$"))


def _english(page: Any, live_server: Any) -> None:
    # The survey strings reach the Chinese catalog when the lead merges it; English is complete already.
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])


def _login(page: Any, live_server: Any, email: str) -> None:
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _add_question(page: Any, survey_url: str, **fields: str) -> None:
    page.goto(survey_url)
    page.get_by_role("link", name="Add a question to this page").last.click()
    page.get_by_label("Type").select_option(fields.pop("type"))
    for label, value in fields.items():
        _field(page, label).fill(value)
    page.get_by_role("button", name="Save the question").click()
    expect(page.locator("main")).to_contain_text("The question has been saved.")  # waits for the next page


def test_editor_builds_approver_approves_resident_answers_on_a_phone(live_server, desktop, phone, shot) -> None:
    department = make_department("transport", name="区交通局")
    make_user("editor", department, email="editor@example.cn")
    make_user("approver", department, email="approver@example.cn")
    db.session.commit()
    _english(desktop, live_server)

    _login(desktop, live_server, "editor@example.cn")
    desktop.goto(live_server.url + "/manage/surveys/new")
    _field(desktop, "Title").fill("东洲区公交出行调查")
    _field(desktop, "Purpose").fill("了解居民出行方式，优化公交线路。")
    _field(desktop, "Contact phone").fill("024-56620012")
    _field(desktop, "Opens (Beijing time)").fill("2025-01-01T09:00")
    _field(desktop, "Closes (Beijing time)").fill("2099-12-31T17:00")
    desktop.get_by_role("button", name="Save").click()
    survey_url = desktop.url
    _add_question(desktop, survey_url, type="single", Code="mode", **{"Question text": "您平时主要怎么出行？",
                  "Options, one per line (code=label or just the label)": "公交\n步行"})  # fmt: skip
    # A mistyped condition is refused with a marker where it goes wrong.
    desktop.goto(survey_url)
    desktop.get_by_role("link", name="Add a question to this page").last.click()
    _field(desktop, "Type").select_option("short_text")
    _field(desktop, "Code").fill("bus_line")
    _field(desktop, "Question text").fill("您常坐哪路公交？")
    _field(desktop, "Show only if").fill("${mode} = '1' and")
    desktop.get_by_role("button", name="Save the question").click()
    expect(desktop.locator(".condition-error mark")).to_be_visible()
    shot(desktop, "condition-refused")
    _field(desktop, "Show only if").fill("${mode} = '1'")
    desktop.get_by_role("button", name="Save the question").click()
    desktop.get_by_role("button", name="Add a page").click()
    _add_question(desktop, survey_url, type="matrix", Code="rating", **{"Question text": "请评价公交服务",
                  "Options, one per line (code=label or just the label)": "满意\n一般\n不满意",
                  "Matrix rows, one per line (code=label or just the label)": "准点\n车内环境"})  # fmt: skip
    desktop.goto(survey_url)
    shot(desktop, "builder")
    desktop.get_by_role("button", name="Submit for review").click()
    desktop.get_by_role("button", name="Log out").click()

    _login(desktop, live_server, "approver@example.cn")
    desktop.get_by_role("link", name="东洲区公交出行调查").click()
    desktop.get_by_role("button", name="Approve and publish").click()
    survey = db.session.scalar(db.select(Survey))
    db.session.refresh(survey)
    assert survey.status is ReviewStatus.APPROVED

    _english(phone, live_server)
    phone.goto(f"{live_server.url}/s/{survey.short_code}")
    expect(phone.get_by_text("Page 1 of 2")).to_be_visible()
    bus_line = phone.get_by_label("您常坐哪路公交？")
    expect(bus_line).not_to_be_visible()  # hidden until 公交 is chosen
    phone.get_by_role("radio", name="公交", exact=True).check()
    expect(bus_line).to_be_visible()
    bus_line.fill("12路")
    phone.get_by_role("radio", name="步行", exact=True).check()
    expect(bus_line).not_to_be_visible()
    phone.get_by_role("radio", name="公交", exact=True).check()
    shot(phone, "page-1")
    phone.get_by_role("button", name="Next page").click()

    # The matrix on a phone: one fieldset per row, the column names beside each radio button.
    expect(phone.get_by_text("Page 2 of 2")).to_be_visible()
    expect(phone.locator(".matrix-head")).not_to_be_visible()
    punctual = phone.get_by_role("group", name="准点")
    punctual.get_by_label("满意", exact=True).check()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "matrix-phone")
    phone.reload()  # halfway: the page and the answers so far come back
    expect(phone.get_by_text("Page 2 of 2")).to_be_visible()
    phone.get_by_role("button", name="Previous page").click()
    assert phone.get_by_label("您常坐哪路公交？").input_value() == "12路"
    phone.get_by_role("button", name="Next page").click()
    phone.get_by_role("group", name="准点").get_by_label("满意", exact=True).check()
    phone.get_by_role("group", name="车内环境").get_by_label("一般", exact=True).check()
    phone.get_by_role("button", name="Submit").click()
    expect(phone.get_by_text("Your answers have been received")).to_be_visible()
    shot(phone, "done")
    stored = {a.question_code: a.value for a in db.session.scalars(db.select(Answer))}
    assert stored == {"mode": "1", "bus_line": "12路", "rating": {"r1": "1", "r2": "2"}}

    phone.goto(f"{live_server.url}/s/{survey.short_code}")
    expect(phone.get_by_text("You have already answered this survey")).to_be_visible()


def test_matrix_is_a_table_on_a_wide_screen(live_server, desktop, shot) -> None:
    survey = make_survey(
        [[("rating", QuestionType.MATRIX, {"options": ["满意", "一般", "不满意"], "text": "请评价",
                                            "settings": {"rows": [{"code": "r1", "label": "准点"},
                                                                  {"code": "r2", "label": "车内环境"}]}})]]
    )  # fmt: skip
    db.session.commit()
    desktop.goto(f"{live_server.url}/surveys/{survey.id}")
    expect(desktop.locator(".matrix-head")).to_be_visible()
    first, second = desktop.locator(".matrix-row").all()
    # Rows share the grid: the same column sits at the same x, one row below the other.
    first_box = first.get_by_label("一般", exact=True).bounding_box()
    second_box = second.get_by_label("一般", exact=True).bounding_box()
    assert abs(first_box["x"] - second_box["x"]) < 2 and second_box["y"] > first_box["y"]
    desktop.keyboard.press("Tab")
    shot(desktop, "matrix-desktop")
