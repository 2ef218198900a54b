"""Staff pages: preparing, importing the draft, review by someone else, department isolation, offline comments."""

from __future__ import annotations

import io
import json

import pytest

from consultation.models import Channel, Comment, Consultation, ConsultationStatus
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import STATUTE_DRAFT, make_consultation
from tests.consultation.docx_builder import paragraphs_to_docx
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
# A whole 1×1 picture: attachments must decode, a header alone is refused.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc````\x00\x00\x00\x05\x00\x01\xa5\xf6E@\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def department(app):
    return make_department(name="区住建局", office_phone="024-56620078")


def _form(department, **overrides):
    data = {
        "department_id": str(department.id),
        "title": "《东洲区住宅小区电动自行车充电管理办法（征求意见稿）》",
        "doc_type": "major_decision",
        "contact_phone": "024-56620078",
        "explanation": "起草说明正文",
        "channels": ["online", "email"],
        "start_at": "2026-12-01T09:00",
        "end_date": "2027-01-15",
        "comment_display": "hidden",
    }
    data.update(overrides)
    return data


def test_an_editor_creates_a_draft_and_a_too_short_period_is_refused_keeping_the_form(client, auth, department):
    auth.login_as(Role.EDITOR, department)
    refused = client.post("/manage/consultations/new", data=_form(department, end_date="2026-12-05"), headers=EN)
    assert refused.status_code == 400
    assert "A reason is required" in refused.text
    assert "《东洲区住宅小区电动自行车充电管理办法（征求意见稿）》" in refused.text
    assert db.session.scalar(db.select(Consultation)) is None

    created = client.post("/manage/consultations/new", data=_form(department))
    assert created.status_code == 302
    consultation = db.session.scalar(db.select(Consultation))
    assert consultation.status is ConsultationStatus.DRAFT and consultation.channels == ["online", "email"]
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "consultation.create"))


def test_editors_of_another_department_and_approvers_cannot_edit(client, auth, department):
    consultation = make_consultation(department, status=ConsultationStatus.DRAFT)
    db.session.commit()
    auth.login_as(Role.EDITOR, make_department())
    assert client.get(f"/manage/consultations/{consultation.id}").status_code == 403
    assert client.post(f"/manage/consultations/{consultation.id}/edit", data=_form(department)).status_code == 403
    auth.logout()
    auth.login_as(Role.APPROVER, department)
    assert client.get(f"/manage/consultations/{consultation.id}").status_code == 200
    assert client.get(f"/manage/consultations/{consultation.id}/edit").status_code == 403


def test_an_imported_docx_is_shown_for_correction_and_saved_as_corrected(client, auth, department):
    consultation = make_consultation(department, status=ConsultationStatus.DRAFT, draft="")
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    docx = paragraphs_to_docx(STATUTE_DRAFT.split("\n\n"))
    preview = client.post(
        f"/manage/consultations/{consultation.id}/draft",
        data={"file": (io.BytesIO(docx), "办法.docx")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    assert "第三条" in preview.text and 'name="units-3-text"' in preview.text
    assert consultation.units == []  # nothing saved before the editor confirms

    units = {
        "units-0-key": "c1", "units-0-kind": "chapter", "units-0-number": "第一章", "units-0-title": "总则",
        "units-1-key": "a1", "units-1-kind": "article", "units-1-number": "第一条", "units-1-parent": "c1",
        "units-1-text": "为了规范管理，制定本办法。",
        "units-2-key": "a2", "units-2-kind": "article", "units-2-number": "第二条", "units-2-text": "删除我",
        "units-2-delete": "y",
    }  # fmt: skip
    saved = client.post(f"/manage/consultations/{consultation.id}/draft/save", data=units)
    assert saved.status_code == 302
    db.session.expire_all()
    assert [(u.key, u.text) for u in consultation.units] == [("c1", ""), ("a1", "为了规范管理，制定本办法。")]


def test_an_approver_of_the_department_approves_but_the_submitting_editor_cannot(client, auth, department):
    editor = make_user(Role.EDITOR, department)
    consultation = make_consultation(department, status=ConsultationStatus.IN_REVIEW, phase="upcoming")
    consultation.created_by_id = consultation.submitted_by_id = editor.id
    db.session.commit()
    decision = {"secrecy_result": "cleared", "secrecy_note": "不涉密", "decision": "approve"}

    auth.login(editor.email)
    assert client.post(f"/manage/consultations/{consultation.id}/review", data=decision).status_code == 403
    auth.logout()
    auth.login_as(Role.APPROVER, make_department())
    assert client.post(f"/manage/consultations/{consultation.id}/review", data=decision).status_code == 403
    auth.logout()
    approver = auth.login_as(Role.APPROVER, department)
    response = client.post(f"/manage/consultations/{consultation.id}/review", data=decision)
    assert response.status_code == 302
    db.session.expire_all()
    assert consultation.status is ConsultationStatus.SCHEDULED
    assert consultation.secrecy_reviewer_id == approver.id


def test_returning_needs_a_reason(client, auth, department):
    consultation = make_consultation(department, status=ConsultationStatus.IN_REVIEW, phase="upcoming")
    db.session.commit()
    auth.login_as(Role.APPROVER, department)
    url = f"/manage/consultations/{consultation.id}/review"
    assert client.post(url, data={"secrecy_result": "cleared", "decision": "return"}).status_code == 400
    client.post(url, data={"secrecy_result": "cleared", "decision": "return", "return_reason": "第三条表述不清"})
    db.session.expire_all()
    assert (consultation.status, consultation.return_reason) == (ConsultationStatus.RETURNED, "第三条表述不清")


def test_staff_record_a_letter_and_only_their_department_downloads_its_scan(client, auth, department):
    consultation = make_consultation(department)
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    response = client.post(
        f"/manage/consultations/{consultation.id}/comments/new",
        data={
            "channel": "letter",
            "received_on": "2026-11-20",
            "unit_key": "a2",
            "author_name": "某小区业委会",
            "respondent_type": "social_organisation",
            "content": "来信建议",
            "attachment": (io.BytesIO(PNG), "scan.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    comment = db.session.scalar(db.select(Comment))
    assert (comment.channel, comment.unit_key) == (Channel.LETTER, "a2")
    download = f"/manage/consultations/comments/{comment.id}/attachment"
    with client.get(download) as staff_download:
        assert staff_download.data == PNG
    auth.logout()
    assert client.get(download).status_code == 302  # the public is sent to the staff login
    auth.login_as(Role.EDITOR, make_department())
    assert client.get(download).status_code == 403


def test_the_dashboard_lists_items_waiting_for_this_approver(client, auth, department):
    make_consultation(department, status=ConsultationStatus.IN_REVIEW, title="《待审核的办法》")
    db.session.commit()
    auth.login_as(Role.APPROVER, department)
    assert "《待审核的办法》" in client.get("/manage/").text


def test_import_draft_command_prints_the_split_as_json(runner, tmp_path):
    path = tmp_path / "draft.md"
    path.write_text(STATUTE_DRAFT, encoding="utf-8")
    result = runner.invoke(args=["consultation", "import-draft", str(path)])
    assert result.exit_code == 0, result.output
    units = json.loads(result.output)
    assert [u["key"] for u in units] == ["c1", "a1", "a2", "a3"]
    assert "第三条" in result.output  # Chinese printed as is, not \\u escapes
