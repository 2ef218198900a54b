"""The chain in the demo, from the home page, and the 解读 in search, the Atom feed, the API and the 说明's closing."""

from __future__ import annotations

import io
import re

from docx import Document

from consultation import demo
from consultation.decision import documents, services
from consultation.decision.models import Interpretation, InterpretationStatus
from consultation.models import Consultation, ConsultationStatus
from consultation.summary.data import decision_links
from core.extensions import db
from core.models import Role
from tests.consultation.test_decision import DOC_TITLE, PARTS, decided, publish_document
from tests.factories import make_department, make_user


def _load_demo() -> Consultation:
    office = make_department("gov-office")
    make_user(Role.EDITOR, office, email="editor@demo.minyi.cn")
    make_user(Role.APPROVER, office, email="approver@demo.minyi.cn")
    make_user(Role.MODERATOR, email="moderator@demo.minyi.cn")
    make_user(Role.REVIEWER, email="reviewer@demo.minyi.cn")
    lines = list(demo.load())
    db.session.commit()
    assert any("政策解读 published" in line for line in lines)
    assert list(demo.load()) == [], "loading again changes nothing"
    return db.session.scalar(db.select(Consultation).where(Consultation.title == demo.CLOSED_TITLE))


def test_the_demo_chain_is_followed_from_the_home_page(client):
    consultation = _load_demo()
    assert consultation.status is ConsultationStatus.CONCLUDED
    home = client.get("/").text
    interpretation_url = f"/consultations/{consultation.id}/interpretation"
    assert f'href="{interpretation_url}"' in home
    page = client.get(interpretation_url).text
    assert "配建比例" in page and page.count("<svg") == 2 and "征求意见稿" in page
    links = set(re.findall(r'href="(/consultations/[^"#]+)"', page))
    draft, feedback, document = (
        f"/consultations/{consultation.id}",
        f"/consultations/{consultation.id}/feedback",
        f"/consultations/{consultation.id}/decided-document",
    )
    assert {draft, feedback, document} <= links
    for path in (draft, feedback, document):
        other = client.get(path).text
        assert f'href="{interpretation_url}"' in other, path
    file = client.get(f"{document}/file")
    assert file.status_code == 200 and file.data[:2] == b"PK"
    file.close()


def test_search_feed_api_and_summary_name_the_published_interpretation(client):
    department = make_department()
    consultation = decided(department)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    publish_document(
        consultation,
        editor,
        approver,
        documents.DocumentInput(DOC_TITLE, "东政发〔2026〕8号", "https://x.example.cn/8"),
    )
    interpretation = services.save_interpretation(consultation, editor, PARTS)
    db.session.commit()
    assert client.get(f"/api/v1/consultations/{consultation.id}/interpretation").status_code == 404
    services.submit(interpretation, editor)
    services.approve(interpretation, approver)
    db.session.commit()

    found = client.get("/search?q=配建比例").text
    assert f"/consultations/{consultation.id}/interpretation" in found
    feed = client.get("/consultations/interpretations/feed.atom")
    assert feed.status_code == 200 and PARTS["title"] in feed.text and "application/atom+xml" in feed.content_type
    body = client.get(f"/api/v1/consultations/{consultation.id}/interpretation").get_json()
    assert body["title"] == PARTS["title"] and body["document"]["number"] == "东政发〔2026〕8号"
    assert "13904135566" not in str(body) and body["feedback_url"].endswith(
        f"/consultations/{consultation.id}/feedback"
    )
    listed = client.get("/api/v1/interpretations").get_json()
    assert [item["consultation_id"] for item in listed["items"]] == [consultation.id]
    labels = dict(decision_links(consultation))
    assert labels["正式文件"] == f"{DOC_TITLE}（东政发〔2026〕8号）"
    assert labels["正式文件地址"].endswith(f"/consultations/{consultation.id}/decided-document")
    assert labels["政策解读"].endswith(f"/consultations/{consultation.id}/interpretation")


def test_an_unpublished_interpretation_is_nowhere_public(client):
    department = make_department()
    consultation = decided(department)
    editor = make_user(Role.EDITOR, department)
    publish_document(consultation, editor, make_user(Role.APPROVER, department))
    interpretation = services.save_interpretation(consultation, editor, PARTS)
    services.submit(interpretation, editor)
    db.session.commit()
    assert db.session.get(Interpretation, interpretation.id).status is InterpretationStatus.IN_REVIEW
    assert client.get(f"/consultations/{consultation.id}/interpretation").status_code == 404
    assert PARTS["title"] not in client.get("/consultations/interpretations/feed.atom").text
    assert client.get("/api/v1/interpretations").get_json()["items"] == []
    assert f"/consultations/{consultation.id}/interpretation" not in client.get("/search?q=配建比例").text
    assert "政策解读" not in dict(decision_links(consultation))


def test_the_demo_summary_names_the_decided_document_and_its_interpretation(client, auth):
    consultation = _load_demo()
    auth.login("editor@demo.minyi.cn")
    response = client.get(f"/manage/consultations/{consultation.id}/summary.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)
    assert "东政办发〔2026〕15号" in text
    assert f"/consultations/{consultation.id}/decided-document" in text
    assert f"/consultations/{consultation.id}/interpretation" in text
