"""The 意见采纳情况表 as xlsx, CSV and JSON, the reply list, and who may download what: every download registered,
audited with who took it, public copies without personal data, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json

import pytest

from consultation.handling import feedback
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from core.verification import IssuedDocument, find_by_content
from tests.consultation.summary_helpers import (
    EMAIL,
    FORMULA,
    PHONE,
    PHONE_IN_TEXT,
    download,
    handled_consultation,
    xlsx_sheets,
)
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


@pytest.fixture
def handled(app):
    handled = handled_consultation()
    db.session.commit()
    return handled


def _url(handled, fmt: str, **args: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/manage/consultations/{handled.consultation.id}/summary.{fmt}" + (f"?{query}" if query else "")


def _exports() -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "consultation.summary_export")))


def test_the_xlsx_has_a_summary_sheet_and_the_table_with_filters_and_widths(client, auth, handled):
    auth.login(handled.editor.email)
    response = download(client, _url(handled, "xlsx"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    sheets = xlsx_sheets(response.data)
    assert list(sheets) == ["概况", "意见采纳情况表"]
    overview = dict(sheets["概况"][1:])
    code = response.headers["X-Verification-Code"]
    assert overview["验证码"] == code and overview["有效意见"] == "8条"
    table = sheets["意见采纳情况表"]
    assert (
        table[0][:3] == ("序号", "编号", "意见建议人")
        and len(table) - 1 == feedback.statistics(handled.consultation).valid
    )
    formula_row = next(row for row in table if row[2] == "赵*")
    assert formula_row[7] == "'" + FORMULA  # shown as text, never run as a formula
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.data))["意见采纳情况表"]
    assert sheet.auto_filter.ref == f"A1:L{len(table)}" and sheet.column_dimensions["H"].width >= 60
    assert find_by_content(response.data).code == code.replace("-", "")


def test_csv_with_bom_opens_in_excel_and_neutralises_formulas_and_plain_csv_has_no_bom(client, auth, handled):
    auth.login(handled.editor.email)
    with_bom = download(client, _url(handled, "csv", bom="1")).data
    plain = download(client, _url(handled, "csv")).data
    assert with_bom.startswith("\ufeff".encode()) and not plain.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(plain.decode("utf-8"))))
    assert rows[0][0] == "序号" and len(rows) - 1 == 8
    assert any(row[7] == "'" + FORMULA for row in rows)
    for content in (with_bom, plain):  # each streamed file is registered once it has been sent in full
        assert find_by_content(content) is not None
    assert PHONE not in plain.decode() and PHONE_IN_TEXT not in plain.decode() and "张晓明" not in plain.decode()


def test_the_json_parses_into_the_documented_structure_with_the_feedback_numbers(client, auth, handled):
    auth.login(handled.editor.email)
    response = download(client, _url(handled, "json", version="internal"))
    data = json.loads(response.data)
    stats = feedback.statistics(handled.consultation)
    assert data["format"] == "minyi.consultation_summary/1" and data["version"] == "internal"
    assert data["verification"]["code"] == response.headers["X-Verification-Code"]
    assert data["statistics"]["received"] == stats.received and data["statistics"]["rejected_by_reason"] == {"spam": 1}
    assert data["statistics"]["by_adoption"] == {"adopted": 1, "not_adopted": 5, "partly_adopted": 1, "out_of_scope": 1}
    assert data["consultation"]["days"]["minimum"] == 30 and data["consultation"]["days"]["unit"] == "calendar_day"
    assert len(data["concentrated_opinions"]) >= 1
    assert len(data["comments"]) == 8 and {c["name"] for c in data["comments"]} >= {"张晓明", "李红", "王五"}
    assert PHONE not in response.text and EMAIL not in response.text
    assert find_by_content(response.data).code == response.headers["X-Verification-Code"].replace("-", "")


def test_public_exports_carry_no_phone_email_or_unmasked_name(client, auth, handled):
    auth.login(handled.editor.email)
    for fmt in ("csv", "json", "xlsx"):
        body = download(client, _url(handled, fmt)).data
        text = body.decode() if fmt != "xlsx" else repr(xlsx_sheets(body))
        for secret in (PHONE, EMAIL, PHONE_IN_TEXT, "张晓明", "王五"):
            assert secret not in text, (fmt, secret)
        assert "张*明" in text and "东洲物业服务有限公司" in text


def test_the_reply_list_has_the_contacts_and_every_download_is_audited_with_who_took_it(client, auth, handled):
    auth.login(handled.editor.email)
    response = download(client, f"/manage/consultations/{handled.consultation.id}/reply-list.xlsx")
    rows = xlsx_sheets(response.data)["答复联系名单"]
    assert rows[1][2:5] == ("张晓明", PHONE, EMAIL) and len(rows) == 2  # only the one who left contact data
    download(client, _url(handled, "docx", version="internal"))
    events = _exports()
    assert [(e.detail["what"], e.detail["version"], e.actor_id) for e in events] == [
        ("reply_list", "internal", handled.editor.id),
        ("summary", "internal", handled.editor.id),
    ]
    assert events[1].detail["code"] and events[1].detail["via"] == "web"


def test_staff_of_other_departments_and_reviewers_before_submission_are_refused(client, auth, handled):
    auth.login_as(Role.EDITOR, make_department())
    assert download(client, _url(handled, "docx", version="internal")).status_code == 403
    auth.logout()
    auth.login_as(Role.REVIEWER)
    assert download(client, _url(handled, "docx", version="internal")).status_code == 403
    assert download(client, f"/manage/consultations/{handled.consultation.id}/summary").status_code == 403
    assert db.session.scalar(db.select(db.func.count(IssuedDocument.id))) == 0


def test_the_cli_export_is_registered_and_audited_like_a_download(app, runner, handled, tmp_path):
    output = tmp_path / "summary.json"
    result = runner.invoke(
        args=["consultation", "export", str(handled.consultation.id), "--format", "json", "--internal", "-o", output]
    )
    assert result.exit_code == 0, result.output
    content = output.read_bytes()
    document = find_by_content(content)
    assert document is not None and document.issued_by_id is None and document.version.value == "internal"
    assert json.loads(content)["verification"]["code"] == document.display_code
    assert document.display_code in result.output
    (event,) = _exports()
    assert event.actor_id is None and event.detail["via"] == "cli" and event.detail["format"] == "json"
    csv_file = tmp_path / "table.csv"
    result = runner.invoke(args=["consultation", "export", str(handled.consultation.id), "--format", "csv",
                                 "--bom", "-o", csv_file])  # fmt: skip
    assert result.exit_code == 0 and csv_file.read_bytes().startswith("\ufeff".encode())
    assert find_by_content(csv_file.read_bytes()) is not None


def test_streaming_the_table_leaves_the_session_able_to_write(app) -> None:
    # A streamed read once switched the session's connection to server-side cursors for good, and the next INSERT
    # (registering the issued file) failed on PostgreSQL.
    from consultation.summary.data import stream_rows, valid_rows_query
    from core import audit

    handled = handled_consultation()
    assert list(stream_rows(valid_rows_query(handled.consultation.id)))
    audit.record("test.after_streaming", handled.consultation)
    db.session.flush()
    db.session.commit()
