"""Tampering found by attacking the demo from outside: every public place an item appears verifies it first."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from core.extensions import db
from core.integrity import check
from surveys.models import QuestionType
from tests.consultation.conftest import make_consultation
from tests.factories import make_department
from tests.surveys.helpers import make_survey

DEFACED = "澳门金沙博彩"


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


def _sql(statement: str, **values: Any) -> None:
    db.session.execute(text(statement), values)  # as an intruder with database access would
    db.session.commit()


def _sealed_survey(**fields: Any) -> Any:
    survey = make_survey([[("q1", QuestionType.SINGLE, {"options": ["满意", "不满意"]})]], title="满意度调查", **fields)
    check.seal_all()
    db.session.commit()
    return survey


def test_a_defaced_survey_title_is_on_neither_the_home_page_nor_the_site_map(client: Any) -> None:
    survey = _sealed_survey()
    assert "满意度调查" in client.get("/").get_data(as_text=True)
    _sql("UPDATE surveys SET title = :t WHERE id = :id", t=DEFACED, id=survey.id)
    for page in ("/", "/sitemap"):
        assert DEFACED not in client.get(page).get_data(as_text=True), page


def test_public_results_show_only_the_approved_questions(client: Any) -> None:
    survey = _sealed_survey(results_published=True)
    assert client.get(f"/surveys/{survey.id}/results").status_code == 200
    _sql("UPDATE survey_options SET label = :t WHERE label = '满意'", t=DEFACED)
    page = client.get(f"/surveys/{survey.id}/results")
    assert page.status_code == 503 and DEFACED not in page.get_data(as_text=True)


def test_a_survey_linked_to_a_consultation_is_named_there_only_as_approved(client: Any) -> None:
    consultation = make_consultation(make_department())
    survey = _sealed_survey(consultation_id=consultation.id)
    assert "满意度调查" in client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    _sql("UPDATE surveys SET title = :t WHERE id = :id", t=DEFACED, id=survey.id)
    page = client.get(f"/consultations/{consultation.id}")
    assert page.status_code == 200 and DEFACED not in page.get_data(as_text=True)


def test_a_consultation_inserted_by_sql_is_not_in_the_site_map(client: Any) -> None:
    make_consultation(make_department(), title="《真实的办法》")
    check.seal_all()
    db.session.commit()
    make_consultation(make_department(), title=f"《{DEFACED}》")  # published, never sealed
    db.session.commit()
    page = client.get("/sitemap").get_data(as_text=True)
    assert "《真实的办法》" in page and DEFACED not in page


def test_a_new_round_never_quotes_a_defaced_earlier_round(client: Any) -> None:
    department = make_department()
    first = make_consultation(department, phase="closed")
    second = make_consultation(department, previous_round_id=first.id, round_number=2)
    check.seal_all()
    db.session.commit()
    _sql("UPDATE consultation_units SET text = :t WHERE consultation_id = :id", t=DEFACED, id=first.id)
    page = client.get(f"/consultations/{second.id}")
    assert page.status_code == 200 and DEFACED not in page.get_data(as_text=True)
