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

from consultation.handling.models import ConsultationFeedback
from consultation.legality.models import ConsultationConclusion, Outcome
from consultation.models import ConsultationStatus
from core.db import utcnow
from core.extensions import db
from core.integrity import check
from core.integrity.scan import run_scan
from surveys.models import QuestionType
from tests.consultation.conftest import known_holiday_calendars, make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department
from tests.surveys.helpers import make_survey


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    # `integrity check` remembers the chain's end in a file; each test's database starts empty again.
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


pytestmark = pytest.mark.usefixtures(known_holiday_calendars.__name__)


def _plant_faults() -> dict[str, str]:
    busy = make_department(name="区住房和城乡建设局")
    make_department(name="区空白局")  # publishes nothing: an empty column
    make_consultation(busy, title="《反馈逾期的办法》", phase="closed", end_at=utcnow() - timedelta(days=90))
    make_consultation(busy, title="《待审查的办法》", phase="closed", status=ConsultationStatus.SUBMITTED_FOR_REVIEW)
    spam = make_consultation(busy, title="《被植入赌博词的办法》", explanation="365体育投注，澳门金沙博彩。")
    make_consultation(
        busy,
        title="《链接有问题的办法》",
        explanation="见[旧稿](/consultations/99999)和[推广](https://casino.example.com/)。",
    )
    tampered = make_consultation(busy, title="《被篡改的办法》")
    # A period far below the 30 days a major decision needs, with no reason given.
    make_consultation(busy, title="《期限过短的办法》", phase="upcoming", end_at=utcnow() + timedelta(days=6))
    # A department whose last consultation opened long ago: its column is not updated.
    old = make_department(name="区老旧局")
    make_consultation(old, title="《很久以前的办法》", phase="closed", start_at=utcnow() - timedelta(days=400),
                      end_at=utcnow() - timedelta(days=360))  # fmt: skip
    # Feedback public for over a year, its commenters' contacts still kept: due for archive and for the purge.
    aged = make_consultation(busy, title="《早已反馈的办法》", phase="closed",
                             status=ConsultationStatus.FEEDBACK_PUBLISHED)  # fmt: skip
    add_comment(aged, "建议保留线下意见箱。", phone="13904135566")
    db.session.add(ConsultationFeedback(consultation_id=aged.id, published_at=utcnow() - timedelta(days=400)))
    # Decided two months ago, neither the decision document nor its 解读 published.
    decided = make_consultation(busy, title="《已决定未解读的办法》", phase="closed",
                                status=ConsultationStatus.CONCLUDED)  # fmt: skip
    db.session.add(
        ConsultationConclusion(consultation_id=decided.id, outcome=Outcome.DECIDED,
                               concluded_at=utcnow() - timedelta(days=60))
    )  # fmt: skip
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
        "broken_link": "/consultations/99999",
        "foreign_link": "https://casino.example.com/",
        "short_period": "《期限过短的办法》",
        "stale_column": "区老旧局",
        "archive_due": "《早已反馈的办法》",
        "retention_due": "《早已反馈的办法》",
        "interpretation": "《已决定未解读的办法》",
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
