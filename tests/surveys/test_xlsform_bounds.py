"""An XLSForm upload can never hold a worker: a workbook with more rows than XLSFORM_MAX_ROWS in a sheet, or one that
unpacks to more XML than any real form, is refused at once with the reason in the editor's language."""

from __future__ import annotations

import io

import openpyxl
import pytest

from core.extensions import db
from surveys.models import Survey
from surveys.transfer.xlsform_import import import_workbook
from surveys.transfer.xlsform_read import MAX_UNPACKED_BYTES
from tests.factories import make_department, make_user
from tests.zip_padding import padded


def _workbook(rows: int, *, far_cell: int = 0) -> bytes:
    book = openpyxl.Workbook(write_only=not far_cell)
    sheet = book.create_sheet("survey")
    sheet.append(["type", "name", "label"])
    for number in range(rows):
        sheet.append(["text", f"q{number}", f"问题{number}"])
    if far_cell:
        sheet.cell(row=far_cell, column=1, value="note")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(data: bytes):
    department = make_department()
    report = import_workbook(io.BytesIO(data), department.id, make_user("editor", department), "问卷.xlsx")
    db.session.flush()
    return report


@pytest.mark.timeout(30)  # generous: refused in about a second; figures in bench/upload_worst_cases.py
def test_a_workbook_of_100000_rows_is_refused_before_it_is_opened(app):
    data = _workbook(100_000)
    assert len(data) < 2_000_000  # 1.5 MB that unpacks to 20 MB
    report = _import(data)
    assert report.survey is None and db.session.scalars(db.select(Survey)).all() == []
    assert report.error == "工作簿的数据超过 8 MB"


def test_a_sheet_of_more_rows_than_the_limit_is_refused_with_the_limit(app):
    report = _import(_workbook(1001))
    assert report.survey is None
    assert report.error == "工作表“survey”超过 1000 行"


@pytest.mark.timeout(30)
def test_a_lone_cell_at_the_bottom_of_the_sheet_costs_nothing(app):
    report = _import(_workbook(3, far_cell=1_048_576))
    assert report.imported == ["q0", "q1", "q2"]


def test_the_row_limit_is_configurable_and_a_form_at_the_limit_imports(app):
    app.config["XLSFORM_MAX_ROWS"] = 5
    assert _import(_workbook(5)).imported == [f"q{number}" for number in range(5)]
    assert _import(_workbook(6)).error == "工作表“survey”超过 5 行"


def test_a_workbook_that_unpacks_to_more_xml_than_any_form_is_refused_before_it_is_opened(app):
    data = padded(_workbook(2), "xl/worksheets/", b"<sheetData>", MAX_UNPACKED_BYTES + 1)
    assert len(data) < 100_000
    assert _import(data).error == "工作簿的数据超过 8 MB"


def test_the_editor_reads_the_refusal_in_english_when_the_page_is_in_english(app, client, auth):
    department = make_department()
    auth.login_as("editor", department)
    app.config["XLSFORM_MAX_ROWS"] = 2
    page = client.post(
        "/manage/surveys/import-xlsform",
        data={"department_id": str(department.id), "workbook": (io.BytesIO(_workbook(3)), "问卷.xlsx")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    ).get_data(as_text=True)
    assert "Nothing was imported: the sheet &#39;survey&#39; has more than 2 rows" in page
