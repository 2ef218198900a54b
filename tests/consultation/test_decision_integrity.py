"""The decided document and the 解读 are sealed when published: changed behind the review's back, they are not served.

A defaced 解读 (its text rewritten in the database, a picture or figure swapped) answers the 503 page, drops out of
the list, the feed and the API, and `flask integrity check` names it; the approved one is served as before.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from consultation.decision import documents, services
from core.extensions import db
from core.integrity import check
from core.models import Role
from tests.consultation.test_decision import DOC_TITLE, PARTS, decided, publish_document
from tests.factories import make_department, make_user

DEFACED = "360足球直播_365体育投注-平台官网"


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


@pytest.fixture
def published(app):
    department = make_department(name="区住建局")
    consultation = decided(department)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    document = documents.DocumentInput(DOC_TITLE, "东政发〔2026〕8号", "https://www.dongzhou.gov.cn/zwgk/8.html")
    publish_document(consultation, editor, approver, document)
    interpretation = services.save_interpretation(consultation, editor, PARTS)
    services.submit(interpretation, editor)
    services.approve(interpretation, approver)
    check.seal_all()  # the notice and feedback of this test's consultation, as an upgraded site has them
    db.session.commit()
    return consultation


def test_the_approved_chain_is_served_and_holds(published, client, runner) -> None:
    assert client.get(f"/consultations/{published.id}/interpretation").status_code == 200
    assert client.get(f"/consultations/{published.id}/decided-document").status_code == 200
    assert runner.invoke(args=["integrity", "check"]).exit_code == 0


def test_a_rewritten_interpretation_is_never_served_and_is_named(published, client, runner) -> None:
    db.session.execute(
        text("UPDATE policy_interpretations SET background = :t WHERE consultation_id = :id"),
        {"t": DEFACED, "id": published.id},
    )
    db.session.commit()

    page = client.get(f"/consultations/{published.id}/interpretation")
    assert page.status_code == 503 and DEFACED not in page.get_data(as_text=True)
    assert client.get(f"/api/v1/consultations/{published.id}/interpretation").status_code == 503
    assert DEFACED not in client.get("/consultations/interpretations").get_data(as_text=True)
    assert PARTS["title"] not in client.get("/consultations/interpretations/feed.atom").get_data(as_text=True)
    assert client.get("/api/v1/interpretations").get_json()["total"] == 0
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1 and "consultation.interpretation" in result.output


def test_a_swapped_decided_document_is_never_served(published, client, runner) -> None:
    db.session.execute(
        text(
            "UPDATE consultation_decided_documents SET url = 'https://bet365.example.com/' WHERE consultation_id = :id"
        ),
        {"id": published.id},
    )
    db.session.commit()
    assert client.get(f"/consultations/{published.id}/decided-document").status_code == 503
    assert client.get(f"/consultations/{published.id}/interpretation").status_code == 503  # it links the document
    result = runner.invoke(args=["integrity", "check"])
    assert result.exit_code == 1 and "consultation.decided_document" in result.output
