"""Repeat groups (a household's members) from an XLSForm: answered without JavaScript ("Add another" and "Remove"
post the page and show it again, nothing typed lost), checked per entry, stored as one list, exported one row
per entry in a sheet (a CSV file) of their own linked by response_id, and written back as begin_repeat."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from core.extensions import db
from surveys.models import Answer, Response, ReviewStatus, Survey
from surveys.transfer import xlsform_export
from surveys.transfer.xlsform_import import import_workbook
from tests.factories import make_department, make_user


def _household_form() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in [
        ("type", "name", "label", "required", "relevant", "constraint", "constraint_message", "label::English (en)"),
        ("text", "village", "村名", "yes", "", "", "", "Village"),
        ("begin_repeat", "member", "家庭成员", "", "", "", "", "Household member"),
        ("text", "member_name", "姓名", "yes", "", "", "", "Name"),
        ("integer", "age", "年龄", "yes", "", ". < 130", "年龄不对", "Age"),
        ("select_one work", "work", "工作", "", "${age} >= 16", "", "", "Work"),
        ("end_repeat",),
    ]:
        sheet.append(list(row))
    choices = book.create_sheet("choices")
    for row in [("list_name", "name", "label"), ("work", "farm", "务农"), ("work", "city job", "进城务工")]:
        choices.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _open_survey() -> Survey:
    department = make_department()
    with force_locale("en"):
        report = import_workbook(
            io.BytesIO(_household_form()), department.id, make_user("editor", department), "户.xlsx"
        )
    assert report.refused == [] and report.imported == ["village", "member"]
    survey = report.survey
    survey.status = ReviewStatus.APPROVED
    survey.starts_at -= timedelta(days=30)
    db.session.commit()
    return survey


@pytest.fixture
def english(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _post(client: FlaskClient, survey: Survey, page: int, data: dict[str, Any]) -> Any:
    return client.post(f"/surveys/{survey.id}", data={"page_index": str(page), **data})


def test_household_members_are_added_without_javascript_and_stored_as_a_list(app: Flask, english) -> None:
    survey = _open_survey()
    english.get(f"/surveys/{survey.id}")
    _post(english, survey, 0, {"village": "新屯", "action": "next"})  # the repeat is a page of its own
    page = english.get(f"/surveys/{survey.id}").text
    assert 'name="member.0.member_name"' in page and 'name="repeat_add" value="member"' in page
    assert page.index('class="visually-hidden" tabindex="-1"') < page.index('name="repeat_remove"')  # Enter: next
    first = {"member.count": "1", "member.0.member_name": "王芳", "member.0.age": "40",
             "member.0.work": "city job"}  # fmt: skip
    again = _post(english, survey, 1, {**first, "repeat_add": "member"})
    assert again.status_code == 200 and 'name="member.1.member_name"' in again.text
    assert 'value="王芳"' in again.text and "error-summary" not in again.text  # nothing typed lost
    second = {**first, "member.count": "2", "member.1.member_name": "王小明", "member.1.age": "8",
              "member.1.work": "farm"}  # fmt: skip
    wrong = _post(english, survey, 1, {**second, "member.1.age": "200", "action": "submit"})
    assert "2. 年龄: 年龄不对" in wrong.text
    done = _post(english, survey, 1, {**second, "action": "submit"})
    assert done.status_code == 200 and "received" in done.text
    stored = db.session.scalar(db.select(Answer.value).where(Answer.question_code == "member"))
    # An 8-year-old is not asked about work (relevant ${age} >= 16): the answer posted anyway does not count.
    assert stored == [{"member_name": "王芳", "age": 40, "work": "city job"}, {"member_name": "王小明", "age": 8}]


def test_an_entry_is_removed_and_a_required_member_is_checked(app: Flask, english) -> None:
    survey = _open_survey()
    english.get(f"/surveys/{survey.id}")
    _post(english, survey, 0, {"village": "新屯", "action": "next"})
    data = {"member.count": "2", "member.0.member_name": "甲", "member.0.age": "30",
            "member.1.member_name": "乙", "member.1.age": "31"}  # fmt: skip
    shown = _post(english, survey, 1, {**data, "repeat_remove": "member.0"})
    assert 'value="乙"' in shown.text and 'value="甲"' not in shown.text
    missing = _post(english, survey, 1, {**data, "member.1.age": "", "action": "submit"})
    assert "2. 年龄: This question requires an answer." in missing.text


def _answered_survey() -> Survey:
    survey = _open_survey()
    for village, members in (("新屯", [{"member_name": "王芳", "age": 40, "work": "city job"}]), ("搭连", [])):
        response = Response(survey_id=survey.id, submitted_at=survey.starts_at, complete=True)
        response.answers = [Answer(question_code="village", value=village)]
        if members:
            response.answers.append(Answer(question_code="member", value=members))
        db.session.add(response)
    db.session.commit()
    return survey


def test_entries_are_exported_one_row_each_linked_by_response_id(app: Flask, client, auth) -> None:
    survey = _answered_survey()
    auth.login_as("editor", survey.department)
    main = list(csv.DictReader(io.StringIO(client.get(f"/manage/surveys/{survey.id}/export.csv").text)))
    assert [row["member"] for row in main] == ["1", ""]
    entries = client.get(f"/manage/surveys/{survey.id}/export.csv?repeat=member").text
    rows = list(csv.DictReader(io.StringIO(entries)))
    assert rows == [{"response_id": main[0]["response_id"], "entry": "1", "member_name": "王芳", "age": "40",
                     "work": "city job"}]  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/manage/surveys/{survey.id}/export.xlsx").data))
    sheet = book["member"]
    assert [cell.value for cell in sheet[1]] == ["response_id", "entry", "member_name", "age", "work"]
    assert client.get(f"/manage/surveys/{survey.id}/export.csv?repeat=nope").status_code == 404


def test_a_repeat_is_written_back_as_begin_repeat_with_its_members(app: Flask, tmp_path) -> None:
    survey = _open_survey()
    target = tmp_path / "back.xlsx"
    xlsform_export.write(survey, target)
    rows = list(openpyxl.load_workbook(target)["survey"].iter_rows(values_only=True))
    header = rows[0]
    typed = [(row[0], row[1]) for row in rows[1:]]
    assert typed[typed.index(("begin_repeat", "member")) + 1 : typed.index(("end_repeat", None))] == [
        ("text", "member_name"),
        ("integer", "age"),
        (typed[typed.index(("begin_repeat", "member")) + 3][0], "work"),
    ]
    assert "label::English (en)" in header
    work = next(row for row in rows if row[1] == "work")
    assert work[header.index("relevant")] == "${age} >= 16"


def test_the_builder_shows_and_previews_an_imported_survey_with_a_repeat_and_calculations(app, client, auth) -> None:
    department = make_department()
    with force_locale("en"):
        report = import_workbook(
            io.BytesIO(_household_form()), department.id, make_user("editor", department), "户.xlsx"
        )
    db.session.commit()
    survey = report.survey
    auth.login_as("editor", department)
    assert client.get(f"/manage/surveys/{survey.id}").status_code == 200
    preview = client.get(f"/manage/surveys/{survey.id}/preview?page=1")
    assert preview.status_code == 200 and "member.0.member_name" in preview.text
    repeat = next(q for q in survey.questions if q.code == "member")
    assert client.get(f"/manage/surveys/{survey.id}/questions/{repeat.id}").status_code == 200


def test_the_results_page_links_each_repeat_groups_entries(app: Flask, client, auth) -> None:
    survey = _answered_survey()
    auth.login_as("editor", survey.department)
    page = client.get(f"/manage/surveys/{survey.id}/results", headers={"Accept-Language": "en"}).text
    assert "repeat=member" in page and "Entries of “家庭成员”, one row each" in page
