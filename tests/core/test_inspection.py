"""The self-inspection lists every fault planted in a small site, on /admin/inspection and in the xlsx report."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import text

from consultation.models import ConsultationStatus
from core.db import utcnow
from core.extensions import db
from core.integrity import check
from core.integrity.scan import run_scan
from surveys.models import QuestionType
from tests.consultation.conftest import make_consultation
from tests.factories import make_department
from tests.surveys.helpers import make_survey


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    # `integrity check` remembers the chain's end in a file; each test's database starts empty again.
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


def _plant_faults() -> dict[str, str]:
    busy = make_department(name="区住房和城乡建设局")
    make_department(name="区空白局")  # publishes nothing: an empty column
    make_consultation(busy, title="《反馈逾期的办法》", phase="closed", end_at=utcnow() - timedelta(days=90))
    make_consultation(busy, title="《待审查的办法》", phase="closed", status=ConsultationStatus.SUBMITTED_FOR_REVIEW)
    spam = make_consultation(busy, title="《被植入赌博词的办法》", explanation="365体育投注，澳门金沙博彩。")
    tampered = make_consultation(busy, title="《被篡改的办法》")
    make_survey(
        [[("q1", QuestionType.SINGLE, {"options": ["是", "否"]})]],
        department=busy,
        title="《结果未公开的问卷》",
        starts_at=utcnow() - timedelta(days=90),
        ends_at=utcnow() - timedelta(days=60),
    )
    check.seal_all()
    db.session.commit()
    db.session.execute(text("UPDATE consultations SET intro = '足球365' WHERE id = :id"), {"id": tampered.id})
    db.session.commit()
    run_scan(max_pages=300)
    check.check_and_alert()
    db.session.commit()
    return {
        "feedback_late": "《反馈逾期的办法》",
        "legality_review": "《待审查的办法》",
        "spam": f"/consultations/{spam.id}",
        "integrity": "《被篡改的办法》",
        "survey_results": "《结果未公开的问卷》",
        "empty_column": "区空白局",
    }


def test_report_page_lists_every_planted_fault_with_where_to_fix_it(app: Flask, client: Any, auth: Any) -> None:
    planted = _plant_faults()
    auth.login_as("admin")
    page = client.get("/admin/inspection/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for category, text_shown in planted.items():
        assert f'id="cat-{category}"' in body, category
        assert text_shown in body, category
    assert "/manage/consultations/" in body  # findings link to where they are fixed


def test_report_is_for_the_portal_office_only(app: Flask, client: Any, auth: Any) -> None:
    auth.login_as("editor", make_department())
    assert client.get("/admin/inspection/").status_code == 403


def test_cli_report_as_xlsx_and_text(app: Flask, runner: Any, tmp_path: Path) -> None:
    planted = _plant_faults()
    path = tmp_path / "report.xlsx"
    result = runner.invoke(args=["inspection", "report", "--format", "xlsx", "--output", str(path)])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    cells = " ".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)
    for text_shown in planted.values():
        assert text_shown in cells
    text_report = runner.invoke(args=["inspection", "report"]).output
    assert "《反馈逾期的办法》" in text_report
