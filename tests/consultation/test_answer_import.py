"""The 意见处理表: exported with masked names, imported back all or nothing with a reason for every refused row."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from openpyxl import Workbook, load_workbook

from consultation.comments import moderation
from consultation.handling.answer_sheet import COLUMNS
from consultation.models import Adoption, Comment, RespondentType
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


@pytest.fixture
def comments(app):
    consultation = make_consultation(make_department(), phase="closed")
    first = add_comment(consultation, "建议改为每周巡查，我的电话13904135566。", name="张晓祥", phone="13811112222")
    second = add_comment(
        consultation, "物业企业没有执法权，应明确街道处置时限。", name="东洲区物业管理协会",
        respondent_type=RespondentType.ASSOCIATION, unit_key="a2", email="assoc@example.cn",
    )  # fmt: skip
    spam = add_comment(consultation, "360足球直播_365体育投注", name="广告")
    moderator = make_user(Role.MODERATOR)
    moderation.approve([first, second], moderator)
    moderation.reject([spam], moderation.RejectionReason.SPAM, moderator)
    db.session.commit()
    return consultation, first, second, spam


def _export(client, consultation):
    with client.get(f"/manage/consultations/{consultation.id}/answers.xlsx") as response:
        assert response.status_code == 200
        return load_workbook(io.BytesIO(response.data))


def test_the_sheet_downloads_under_its_chinese_name_and_is_never_cached(client, auth, comments):
    consultation = comments[0]
    auth.login_as(Role.EDITOR, consultation.department)
    with client.get(f"/manage/consultations/{consultation.id}/answers.xlsx") as response:
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert f"filename*=UTF-8''{quote(f'意见处理表-{consultation.id}.xlsx')}" in disposition
        assert response.headers["Cache-Control"] == "no-store"  # it names the commenters


def _upload(client, consultation, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = {"file": (io.BytesIO(buffer.getvalue()), "意见处理表.xlsx")}
    response = client.post(f"/manage/consultations/{consultation.id}/answers/import", data=data)
    db.session.expire_all()
    return response


def _fill(sheet, receipt: str, adoption: str, reason: str = "", change: str = "") -> None:
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("编号")].value == receipt:
            row[header.index("采纳情况")].value = adoption
            row[header.index("理由")].value = reason
            row[header.index("修改情况")].value = change
            return
    sheet.append([None, receipt, None, None, None, adoption, reason, change])


def test_the_export_lists_valid_comments_with_masked_names_and_no_contact_data(client, auth, comments):
    consultation, first, second, _spam = comments
    auth.login_as(Role.EDITOR, consultation.department)
    sheet = _export(client, consultation).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(rows[0]) == COLUMNS
    assert [row[1] for row in rows[1:]] == [first.receipt_number, second.receipt_number]  # not the rejected spam
    assert rows[1][4] == "张*祥" and rows[2][4] == "东洲区物业管理协会"
    flat = " ".join(str(value) for row in rows for value in row)
    assert "13904135566" not in flat and "13811112222" not in flat and "assoc@example.cn" not in flat


def test_a_filled_in_sheet_is_imported_and_audited(client, auth, comments):
    consultation, first, second, _spam = comments
    auth.login_as(Role.EDITOR, consultation.department)
    workbook = _export(client, consultation)
    _fill(workbook.active, first.receipt_number, "未采纳", "巡查频次是消防安全的最低要求。")
    _fill(workbook.active, second.receipt_number, "采纳", "", "第八条增加处置时限。")
    assert _upload(client, consultation, workbook).status_code == 302
    assert (db.session.get(Comment, first.id).adoption, db.session.get(Comment, second.id).adoption) == (
        Adoption.NOT_ADOPTED, Adoption.ADOPTED
    )  # fmt: skip
    assert db.session.get(Comment, second.id).answer_change == "第八条增加处置时限。"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "consultation.answers_import"))
    assert event.detail["answered"] == 2


def test_a_bad_sheet_is_refused_row_by_row_and_nothing_is_imported(client, auth, comments):
    consultation, first, second, spam = comments
    auth.login_as(Role.EDITOR, consultation.department)
    workbook = _export(client, consultation)
    _fill(workbook.active, first.receipt_number, "采纳")  # a good row: it must not be stored either
    _fill(workbook.active, second.receipt_number, "未采纳")  # no reason
    _fill(workbook.active, "ZQ20260101-XXXXXX", "采纳")  # unknown receipt
    _fill(workbook.active, spam.receipt_number, "采纳")  # rejected by the moderator
    workbook.active.append([None, first.receipt_number, None, None, None, "同意", "", ""])  # the same receipt again
    response = _upload(client, consultation, workbook)
    assert response.status_code == 400
    report = response.text.partition('id="import-report"')[2].partition("</div>")[0]
    assert report.count("<tr>") == 1 + 4  # header and one line per refused row: all but the first
    for receipt in (second.receipt_number, "ZQ20260101-XXXXXX", spam.receipt_number):
        assert receipt in report
    assert db.session.scalars(db.select(Comment.adoption).where(Comment.adoption.is_not(None))).all() == []


def test_the_import_reports_problem_codes_in_english_too(client, auth, comments):
    consultation, _first, second, _spam = comments
    auth.login_as(Role.EDITOR, consultation.department)
    workbook = _export(client, consultation)
    _fill(workbook.active, second.receipt_number, "maybe")
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        f"/manage/consultations/{consultation.id}/answers/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "a.xlsx")},
        headers={"Accept-Language": "en"},
    )
    assert "must be 采纳, 部分采纳, 未采纳 or 不属于征求范围" in response.text


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_refused(client, auth, comments):
    consultation = comments[0]
    auth.login_as(Role.EDITOR, consultation.department)
    response = client.post(
        f"/manage/consultations/{consultation.id}/answers/import",
        data={"file": (io.BytesIO(b"not a spreadsheet"), "x.xlsx")},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400 and "is not an .xlsx workbook" in response.text
    workbook = Workbook()
    workbook.active.append(["编号", "意见"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        f"/manage/consultations/{consultation.id}/answers/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "x.xlsx")},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400 and "missing: 采纳情况、理由、修改情况" in response.text


def test_a_sheet_whose_reason_only_repeats_the_answer_is_refused(client, auth, comments):
    consultation, first, _second, _spam = comments
    auth.login_as(Role.EDITOR, consultation.department)
    workbook = _export(client, consultation)
    _fill(workbook.active, first.receipt_number, "未采纳", "不予采纳。")  # says nothing (rules.md §2 hard rule 5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client.post(
        f"/manage/consultations/{consultation.id}/answers/import",
        data={"file": (io.BytesIO(buffer.getvalue()), "a.xlsx")},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "at least 4 letters or digits" in response.text and first.receipt_number in response.text
    assert db.session.scalars(db.select(Comment.adoption).where(Comment.adoption.is_not(None))).all() == []
