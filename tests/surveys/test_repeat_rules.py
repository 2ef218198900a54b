"""Inside a repeat group (a household's members): a calculation computed per entry from the same entry's answers and
the answers before the repeat, stored and exported in the repeat's own sheet; a choice filter offering each member
the options that match that member's earlier answers (without JavaScript: the page shows the entry again when its
choices changed); a label showing the entry's answers; a repeat_count fixing the number of entries. The workbook
exports through `flask surveys export-xlsform` and converts with pyxform to the same rows."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from pyxform.xls2json import parse_file_to_json
from pyxform.xls2xform import convert

from core.extensions import db
from surveys.models import Answer, Response, ReviewStatus, Survey
from surveys.transfer.xlsform_import import import_workbook
from tests.factories import make_department, make_user
from tests.surveys.test_xlsform_roundtrip import _questions, _same_question

HEADER = ("type", "name", "label", "required", "relevant", "constraint", "calculation", "choice_filter",
          "repeat_count", "label::English (en)")  # fmt: skip


def household_form(count: str = "") -> bytes:
    """A household's members: age computed from the birth year, a tag naming the member, the relation to the head
    of the household filtered by the member's sex, work asked from 16 years of age."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in [
        HEADER,
        ("text", "village", "村名", "yes", "", "", "", "", "", "Village"),
        ("integer", "year", "调查年份", "yes", "", ". >= 2000", "", "", "", "Survey year"),
        ("integer", "hh_size", "家庭人数", "", "", "", "", "", "", "Household size"),
        ("begin_repeat", "member", "家庭成员", "", "", "", "", "", count, "Household member"),
        ("text", "member_name", "姓名", "yes", "", "", "", "", "", "Name"),
        ("select_one sex", "sex", "性别", "yes", "", "", "", "", "", "Sex"),
        ("integer", "birth_year", "出生年份", "yes", "", ". <= ${year}", "", "", "", "Birth year"),
        ("calculate", "age", "", "", "", "", "${year} - ${birth_year}"),
        ("calculate", "tag", "", "", "", "", "concat(${member_name}, '（', ${age}, '岁）')"),
        ("select_one relation", "relation", "${tag}与户主的关系", "yes", "", "", "", "sex = ${sex} or sex = 'any'",
         "", "Relation of ${tag}"),
        ("select_one work", "work", "工作", "", "${age} >= 16", "", "", "", "", "Work"),
        ("end_repeat",),
    ]:  # fmt: skip
        sheet.append(list(row))
    choices = book.create_sheet("choices")
    for row in [
        ("list_name", "name", "label", "sex"),
        ("sex", "f", "女"), ("sex", "m", "男"),
        ("relation", "head", "户主", "any"), ("relation", "wife", "妻子", "f"), ("relation", "daughter", "女儿", "f"),
        ("relation", "husband", "丈夫", "m"), ("relation", "son", "儿子", "m"),
        ("work", "farm", "务农"), ("work", "city job", "进城务工"),
    ]:  # fmt: skip
        choices.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def open_survey(count: str = "") -> Survey:
    department = make_department()
    with force_locale("en"):
        report = import_workbook(
            io.BytesIO(household_form(count)), department.id, make_user("editor", department), "户.xlsx"
        )
    assert report.refused == [] and report.imported == ["village", "year", "hh_size", "member"]
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


def _offered(page: str, field: str) -> list[str]:
    return re.findall(rf'name="{re.escape(field)}" value="([^"]*)"', page)


def _shapes(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(member\.\d+:shown)" value="([^"]*)"', page))


def _to_members(client: FlaskClient, survey: Survey, hh_size: str = "") -> str:
    client.get(f"/surveys/{survey.id}")
    _post(client, survey, 0, {"village": "新屯", "year": "2025", "hh_size": hh_size, "action": "next"})
    return client.get(f"/surveys/{survey.id}").text


WANG_FANG = {"member.0.member_name": "王芳", "member.0.sex": "f", "member.0.birth_year": "1985"}


def test_each_member_is_offered_the_relations_of_its_own_sex_and_its_age_is_computed(app: Flask, english) -> None:
    survey = open_survey()
    page = _to_members(english, survey)
    assert len(_offered(page, "member.0.relation")) == 5  # the sex is not known yet: decided when going on
    first = {"member.count": "1", **WANG_FANG, **_shapes(page)}
    again = _post(english, survey, 1, {**first, "action": "submit"})
    assert again.status_code == 200 and "This entry now asks more" in again.text  # shown again, not stored
    assert "error-summary" not in again.text  # the relation was not asked yet: no error
    assert _offered(again.text, "member.0.relation") == ["head", "wife", "daughter"]
    assert "王芳（40岁）与户主的关系" in again.text  # the member's label shows its own computed tag
    first = {**first, **_shapes(again.text), "member.0.relation": "wife", "member.0.work": "farm"}
    added = _post(english, survey, 1, {**first, "repeat_add": "member"})
    assert _offered(added.text, "member.0.relation") == ["head", "wife", "daughter"]
    second = {**first, **_shapes(added.text), "member.count": "2", "member.1.member_name": "王小明",
              "member.1.sex": "m", "member.1.birth_year": "2017", "member.1.work": "farm"}  # fmt: skip
    wrong = _post(english, survey, 1, {**second, "member.1.relation": "daughter", "action": "submit"})
    assert "2. 王小明（8岁）与户主的关系: Choose one of the options." in wrong.text
    assert _offered(wrong.text, "member.1.relation") == ["head", "husband", "son"]  # another member, other options
    done = _post(english, survey, 1, {**second, "member.1.relation": "son", "action": "submit"})
    assert "received" in done.text
    stored = db.session.scalar(db.select(Answer.value).where(Answer.question_code == "member"))
    # An 8-year-old is not asked about work: the answer posted anyway does not count.
    assert stored == [
        {"member_name": "王芳", "sex": "f", "birth_year": 1985, "age": 40, "tag": "王芳（40岁）", "relation": "wife",
         "work": "farm"},
        {"member_name": "王小明", "sex": "m", "birth_year": 2017, "age": 8, "tag": "王小明（8岁）", "relation": "son"},
    ]  # fmt: skip


def test_a_constraint_reads_an_answer_before_the_repeat_and_a_crafted_calculation_is_ignored(app, english) -> None:
    survey = open_survey()
    page = _to_members(english, survey)
    data = {"member.count": "1", **WANG_FANG, **_shapes(page), "member.0.relation": "wife", "member.0.age": "99"}
    late = _post(english, survey, 1, {**data, "member.0.birth_year": "2030", "action": "submit"})
    assert "1. 出生年份: This answer is not valid." in late.text  # . <= ${year}, the year asked before the repeat
    assert "received" in _post(english, survey, 1, {**data, "action": "submit"}).text
    stored = db.session.scalar(db.select(Answer.value).where(Answer.question_code == "member"))
    assert stored[0]["age"] == 40  # computed, whatever was posted


def test_repeat_count_from_an_earlier_answer_asks_for_that_many_entries(app: Flask, english) -> None:
    survey = open_survey(count="${hh_size}")
    assert survey.questions[-1].settings["repeat_count"] == "${hh_size}"
    page = _to_members(english, survey, hh_size="2")
    assert 'name="member.1.member_name"' in page and 'name="member.2.member_name"' not in page
    assert 'name="repeat_add"' not in page and 'name="repeat_remove"' not in page
    one = {"member.count": "2", **WANG_FANG, "member.0.relation": "wife", **_shapes(page)}
    missing = _post(english, survey, 1, {**one, "action": "submit"})
    assert "2. 姓名: This question requires an answer." in missing.text
    fewer = _post(english, survey, 1, {**one, "member.count": "1", "action": "submit"})
    assert "The form asks for 2 entries: fill in each." in fewer.text and 'name="member.1.sex"' in fewer.text
    both = {**one, "member.1.member_name": "王小明", "member.1.sex": "m", "member.1.birth_year": "2017",
            "member.1.relation": "son"}  # fmt: skip
    assert "received" in _post(english, survey, 1, {**both, "action": "submit"}).text
    stored = db.session.scalar(db.select(Answer.value).where(Answer.question_code == "member"))
    assert [entry["member_name"] for entry in stored] == ["王芳", "王小明"]


def test_a_repeat_count_of_a_number_is_kept_and_one_not_expressible_is_a_warning(app: Flask) -> None:
    survey = open_survey(count="3")
    assert survey.questions[-1].settings["repeat_count"] == "3"
    department = make_department("other")
    with force_locale("en"):
        report = import_workbook(io.BytesIO(household_form("count(${village})")), department.id, None, "户.xlsx")
    assert "repeat_count" not in report.survey.questions[-1].settings
    assert any("the repeat count is not used" in finding.reason for finding in report.warnings)


def _answered(survey: Survey) -> Survey:
    response = Response(survey_id=survey.id, submitted_at=survey.starts_at, complete=True)
    members = [{"member_name": "王芳", "sex": "f", "birth_year": 1985, "age": 40, "tag": "王芳（40岁）",
                "relation": "wife"}]  # fmt: skip
    response.answers = [Answer(question_code="village", value="新屯"), Answer(question_code="member", value=members)]
    db.session.add(response)
    db.session.commit()
    return survey


def test_the_repeats_csv_and_sheet_have_the_calculated_columns(app: Flask, client, auth) -> None:
    survey = _answered(open_survey())
    auth.login_as("editor", survey.department)
    entries = client.get(f"/manage/surveys/{survey.id}/export.csv?repeat=member").text
    rows = list(csv.DictReader(io.StringIO(entries)))
    assert rows[0]["age"] == "40" and rows[0]["tag"] == "王芳（40岁）" and rows[0]["relation"] == "wife"
    assert list(rows[0]) == ["response_id", "entry", "member_name", "sex", "birth_year", "age", "tag", "relation",
                             "work"]  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/manage/surveys/{survey.id}/export.xlsx").data))
    assert [cell.value for cell in book["member"][1]][5:7] == ["age", "tag"]


@pytest.mark.parametrize("count", ["", "${hh_size}"])
def test_the_exported_workbook_converts_with_pyxform_to_the_same_rows(app, runner, tmp_path: Path, count) -> None:
    survey = open_survey(count)
    original_path, target = tmp_path / "户.xlsx", tmp_path / "back.xlsx"
    original_path.write_bytes(household_form(count))
    result = runner.invoke(args=["surveys", "export-xlsform", str(survey.id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "<instance>" in convert(xlsform=str(target)).xform  # xls2xform takes it
    original, exported = parse_file_to_json(str(original_path)), parse_file_to_json(str(target))
    before, after = _questions(original), _questions(exported)
    for name in ("member_name", "sex", "birth_year", "age", "tag", "relation", "work"):
        _same_question(before[name], after[name], (original, exported))
    assert after["relation"]["choice_filter"] == "sex = ${sex} or sex = 'any'"
    children = [child for page in exported["children"] for child in page.get("children", [])]
    repeats = [child for child in children if child["type"] == "repeat"]
    assert [repeat.get("control", {}).get("jr:count", "") for repeat in repeats] == [count]
    again = import_workbook(str(target), survey.department_id, None, "back.xlsx")
    assert again.refused == []
    assert again.survey.questions[-1].settings["members"] == survey.questions[-1].settings["members"]


def test_a_repeat_count_asked_on_the_same_page_shows_the_entries_when_going_on(app: Flask, english) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in [("type", "name", "label", "required", "repeat_count", "appearance"),
                ("begin_group", "home", "户", "", "", "field-list"), ("integer", "n", "人数", "yes"),
                ("begin_repeat", "people", "成员", "", "${n}"), ("text", "nm", "姓名", "yes"), ("end_repeat",),
                ("end_group",)]:  # fmt: skip
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    department = make_department()
    survey = import_workbook(io.BytesIO(buffer.getvalue()), department.id, None, "x.xlsx").survey
    survey.status = ReviewStatus.APPROVED
    survey.starts_at -= timedelta(days=30)
    db.session.commit()
    page = english.get(f"/surveys/{survey.id}").text
    assert "appear when you go on" in page and 'name="people.0.nm"' not in page
    shown = _post(english, survey, 0, {"n": "2", "people.count": "0", "action": "submit"}).text
    assert "The form asks for 2 entries: fill in each." in shown and 'name="people.1.nm"' in shown
    both = {"n": "2", "people.count": "2", "people.0.nm": "甲", "people.1.nm": "乙", "action": "submit"}
    assert "received" in _post(english, survey, 0, both).text
    assert db.session.scalar(db.select(Answer.value).where(Answer.question_code == "people")) == [
        {"nm": "甲"},
        {"nm": "乙"},
    ]
