"""The decided document is reviewed like the 解读 before anything is published (PRODUCT 六.1): the editor prepares
and submits it, an approver of the department who did not prepare or submit it approves it (then it is public and
sealed) or returns it with the reasons; a correction goes the same way while the published version stays served."""

from __future__ import annotations

import io

import pytest
from flask import Flask

from consultation.decision import deadline, documents
from consultation.decision.models import DecidedDocument, InterpretationStatus, PreparedDocument
from consultation.drafting import uploads
from core.audit import AuditEvent
from core.extensions import db
from core.integrity import check
from core.models import Role
from tests.consultation.test_decision import DOC_TITLE, decided, pdf_bytes, publish_document
from tests.factories import make_department, make_user

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _ledger_head_outside_instance(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> None:
    app.config["INTEGRITY_LEDGER_HEAD"] = str(tmp_path_factory.mktemp("head") / "head.json")


@pytest.fixture
def department(app):
    return make_department(name="区住建局")


def _prepared() -> PreparedDocument:
    db.session.expire_all()
    return db.session.scalars(db.select(PreparedDocument).order_by(PreparedDocument.version.desc())).first()


def _flashes(client, response) -> str:
    """The page a POST sent to, with the messages it flashed (in English when the POST asked for it)."""
    return client.get(response.headers["Location"], headers=EN).text


def test_the_document_is_public_only_once_another_person_approved_it(client, auth, department, runner):
    consultation = decided(department)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    check.seal_all()  # the notice and feedback of this test's consultation, as an upgraded site has them
    db.session.commit()
    base, public = f"/manage/consultations/{consultation.id}/decision", f"/consultations/{consultation.id}"
    auth.login(editor.email)
    form = {"title": DOC_TITLE, "number": "东政发〔2026〕8号", "url": "https://www.dongzhou.gov.cn/zwgk/8.html"}
    assert client.post(f"{base}/document", data={**form, "action": "save"}).status_code == 303
    assert _prepared().status is InterpretationStatus.DRAFT
    sent = client.post(f"{base}/document", data={**form, "editing": _prepared().id, "action": "submit"}, headers=EN)
    assert "reviews it before it is published" in _flashes(client, sent)
    assert client.get(f"{public}/decided-document").status_code == 404, "in review: not public"
    assert deadline.decision_due([department.id])[0].document_missing, "in review: still due"
    assert client.post(f"{base}/document/review", data={"decision": "approve"}).status_code == 403
    auth.logout()

    auth.login(approver.email)
    assert f'href="{base}/document/review"' in client.get("/manage/", headers=EN).text, "on the approver's dashboard"
    no_reason = client.post(f"{base}/document/review", data={"decision": "return", "reason": " "}, headers=EN)
    assert "Give the reasons" in _flashes(client, no_reason)
    client.post(f"{base}/document/review", data={"decision": "return", "reason": "文号有误，请核对。"})
    assert _prepared().status is InterpretationStatus.RETURNED
    auth.logout()

    auth.login(editor.email)
    overview = client.get(base, headers=EN).text
    assert 'id="document-returned"' in overview and "文号有误，请核对。" in overview
    fixed = {**form, "number": "东政发〔2026〕9号", "editing": _prepared().id, "action": "submit"}
    assert client.post(f"{base}/document", data=fixed).status_code == 303
    auth.logout()
    auth.login(approver.email)
    assert client.post(f"{base}/document/review", data={"decision": "approve"}).status_code == 303

    document = db.session.get(DecidedDocument, consultation.id)
    assert document.number == "东政发〔2026〕9号" and document.published_by_id == approver.id
    assert "东政发〔2026〕9号" in client.get(f"{public}/decided-document").text
    assert not deadline.decision_due([department.id])[0].document_missing
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {f"consultation.decided_document_{step}" for step in ("prepare", "submit", "return", "publish")} <= actions
    assert runner.invoke(args=["integrity", "check"]).exit_code == 0, "sealed when approved"


def test_whoever_prepared_or_submitted_the_document_cannot_approve_it(client, auth, department):
    consultation = decided(department)
    preparer = make_user(Role.APPROVER, department, email="preparer@example.cn")  # approvers may prepare it too
    other = make_user(Role.APPROVER, department, email="other@example.cn")
    db.session.commit()
    base = f"/manage/consultations/{consultation.id}/decision"
    auth.login(preparer.email)
    form = {"title": DOC_TITLE, "url": "https://x.example.cn/8", "action": "submit"}
    assert client.post(f"{base}/document", data=form).status_code == 303
    assert "dashboard-document-review" not in client.get("/manage/", headers=EN).text
    page = client.get(f"{base}/document/review", headers=EN).text
    assert "Approve and publish" not in page and "Preview of the decided document" in page
    own = client.post(f"{base}/document/review", data={"decision": "approve"}, headers=EN)
    assert "Someone other than the person who wrote or submitted it" in _flashes(client, own)
    assert _prepared().status is InterpretationStatus.IN_REVIEW
    assert db.session.get(DecidedDocument, consultation.id) is None
    auth.logout()
    auth.login(other.email)
    dashboard = client.get("/manage/", headers=EN).text
    assert f'<li data-consultation="{consultation.id}"><a href="{base}/document/review">' in dashboard
    assert client.post(f"{base}/document/review", data={"decision": "approve"}).status_code == 303
    assert db.session.get(DecidedDocument, consultation.id).published_by_id == other.id


def test_a_correction_in_review_leaves_the_published_version_served(client, auth, department):
    consultation = decided(department)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    db.session.commit()
    base, public = f"/manage/consultations/{consultation.id}/decision", f"/consultations/{consultation.id}"
    auth.login(editor.email)
    first = {"title": DOC_TITLE, "number": "东政发〔2026〕8号", "file": (io.BytesIO(pdf_bytes()), "办法.pdf"),
             "action": "submit"}  # fmt: skip
    assert client.post(f"{base}/document", data=first, content_type="multipart/form-data").status_code == 303
    auth.logout()
    auth.login(approver.email)
    client.post(f"{base}/document/review", data={"decision": "approve"})
    auth.logout()

    auth.login(editor.email)
    assert client.post(f"{base}/document/correct").status_code == 303
    editing = _prepared().id
    overview = client.get(base, headers=EN).text
    assert 'id="correction-state"' in overview and 'name="revision_note"' in overview
    no_note = client.post(f"{base}/document", data={"title": DOC_TITLE, "number": "东政发〔2026〕9号",
                                                    "editing": editing, "action": "submit"}, headers=EN)  # fmt: skip
    assert no_note.status_code == 400 and "Say what was changed" in no_note.text
    unchanged = client.post(f"{base}/document", data={"title": DOC_TITLE, "number": "东政发〔2026〕8号",
                            "revision_note": "重传", "editing": editing, "action": "submit"}, headers=EN)  # fmt: skip
    assert unchanged.status_code == 400 and "Nothing differs from the published document" in unchanged.text
    corrected = {"title": DOC_TITLE, "number": "东政发〔2026〕9号", "revision_note": "更正文号。", "editing": editing,
                 "file": (io.BytesIO(pdf_bytes() + b"\n%corrected"), "办法（更正）.pdf"),
                 "action": "submit"}  # fmt: skip
    assert client.post(f"{base}/document", data=corrected, content_type="multipart/form-data").status_code == 303
    auth.logout()

    page = client.get(f"{public}/decided-document").text
    assert "东政发〔2026〕8号" in page and "修订于" not in page, "the published version is served unchanged"
    served = client.get(f"{public}/decided-document/file")
    assert not served.data.endswith(b"%corrected")
    served.close()
    auth.login(approver.email)
    review = client.get(f"{base}/document/review", headers=EN).text
    assert "更正文号。" in review and "Differs from the published version in: Document number、File" in review
    assert client.post(f"{base}/document/review", data={"decision": "approve"}).status_code == 303
    auth.logout()

    document = db.session.get(DecidedDocument, consultation.id)
    assert document.version == 2 and document.published_at < document.revised_at
    page = client.get(f"{public}/decided-document").text
    assert "修订于" in page and "更正文号。" in page and 'id="document-versions"' in page
    assert "东政发〔2026〕8号" in page.split('id="document-versions"')[1], "the earlier version is listed"
    old_file = client.get(f"{public}/decided-document/versions/1/file")
    assert old_file.status_code == 200 and not old_file.data.endswith(b"%corrected")
    old_file.close()
    new_file = client.get(f"{public}/decided-document/file")
    assert new_file.data.endswith(b"%corrected")
    new_file.close()
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "consultation.decided_document_replace")
    ).one()
    assert event.detail["revision_note"] == "更正文号。" and event.detail["version"] == 2
    assert event.detail["changed"] == ["number", "file"] and event.actor_id == approver.id


def test_a_discarded_correction_takes_its_own_file_and_leaves_the_published_one(client, auth, department):
    consultation = decided(department)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    stored = uploads.store(pdf_bytes(), "办法.pdf")
    publish_document(consultation, editor, approver, documents.DocumentInput(DOC_TITLE, stored=stored))
    prepared = documents.start_correction(consultation, editor)
    own = uploads.store(pdf_bytes() + b"\n%corrected", "办法（更正）.pdf")
    documents.prepare(consultation, editor, documents.DocumentInput(DOC_TITLE, stored=own), prepared.id)
    db.session.commit()
    auth.login(editor.email)
    assert client.post(f"/manage/consultations/{consultation.id}/decision/document/discard").status_code == 303
    assert not uploads.path_of(own.stored_name).exists() and uploads.path_of(stored.stored_name).exists()
    assert db.session.scalars(db.select(PreparedDocument.version)).all() == [1]
    served = client.get(f"/consultations/{consultation.id}/decided-document/file")
    assert served.status_code == 200
    served.close()
