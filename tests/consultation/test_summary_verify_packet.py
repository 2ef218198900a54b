"""/verify on an issued summary (by code, by upload, and after an answer changed), the notice archived when it is
approved, and the packet: every file with its SHA-256 in the manifest, the archived notice, the exemption."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from consultation.drafting import notice_archive
from consultation.handling import answers
from consultation.legality import gate as legality
from consultation.legality.models import ExemptionBasis, NoticeArchive
from consultation.models import Adoption, ConsultationStatus
from core.extensions import db
from core.models import Role
from core.verification import IssuedDocument, find_by_content
from tests.consultation.conftest import make_consultation
from tests.consultation.summary_helpers import PHONE, docx_text, download, handled_consultation
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}


def _verify(client, code: str = "", content: bytes | None = None) -> str:
    data: dict = {"code": code}
    if content is not None:
        data["document"] = (io.BytesIO(content), "summary.docx")
    return client.post("/verify", data=data, content_type="multipart/form-data", headers=EN).text


def test_verify_confirms_a_summary_by_code_and_upload_and_flags_it_once_an_answer_changed(client, auth):
    handled = handled_consultation()
    db.session.commit()
    auth.login(handled.editor.email)
    response = download(client, f"/manage/consultations/{handled.consultation.id}/summary.docx?version=internal")
    code = response.headers["X-Verification-Code"]
    auth.logout()
    by_code = _verify(client, code)
    assert "Authentic" in by_code and "Current: the comments and answers have not changed" in by_code
    assert handled.consultation.title in by_code
    by_upload = _verify(client, content=response.data)
    assert "byte for byte" in by_upload and code in by_upload
    tampered = _verify(client, content=response.data + b"\0")
    assert "Not issued by this site" in tampered
    # The department changes an answer after issuing the summary (here directly: the feedback is published).
    handled.named.adoption, handled.named.answer_reason = Adoption.NOT_ADOPTED, "经研究不予采纳。"
    db.session.commit()
    assert "Comments or answers changed after this was issued" in _verify(client, code)
    assert "Comments or answers changed after this was issued" in _verify(client, content=response.data)


def test_answering_a_comment_after_issue_makes_the_summary_changed(client, auth, app):
    handled = handled_consultation(publish=False)
    late = handled.copies[0]
    late.adoption = None
    db.session.commit()
    auth.login(handled.editor.email)
    code = download(client, f"/manage/consultations/{handled.consultation.id}/summary.pdf").headers[
        "X-Verification-Code"
    ]
    answers.answer(handled.consultation, [late], answers.AnswerInput(Adoption.ADOPTED), handled.editor)
    db.session.commit()
    assert "Comments or answers changed" in _verify(client, code)


def test_the_notice_is_archived_when_the_approver_publishes_it(client, auth):
    department = make_department()
    editor = make_user(Role.EDITOR, department)
    consultation = make_consultation(department, status=ConsultationStatus.IN_REVIEW, phase="upcoming",
                                     created_by=editor, intro="现向社会公开征求意见。")  # fmt: skip
    db.session.commit()
    auth.login_as(Role.APPROVER, department)
    decision = {"secrecy_result": "cleared", "secrecy_note": "不涉密", "decision": "approve"}
    assert client.post(f"/manage/consultations/{consultation.id}/review", data=decision).status_code == 302
    archive = db.session.scalar(db.select(NoticeArchive).where(NoticeArchive.consultation_id == consultation.id))
    assert archive is not None and archive.url.endswith(f"/consultations/{consultation.id}")
    html = archive.html
    assert "<style>" in html and ".container" in html and 'rel="stylesheet"' not in html  # self-contained
    assert consultation.title in html and "现向社会公开征求意见。" in html and "第三条" in html
    assert "<script" not in html and "csrf_token" not in html and "Log out" not in html
    assert hashlib.sha256(html.encode()).hexdigest() == archive.sha256


def _packet(client, consultation_id: int) -> tuple[bytes, zipfile.ZipFile]:
    response = download(client, f"/manage/consultations/{consultation_id}/packet.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return response.data, zipfile.ZipFile(io.BytesIO(response.data))


def test_the_packet_holds_every_file_with_its_hash_and_is_registered_itself(client, auth):
    handled = handled_consultation()
    notice_archive.capture(handled.consultation, handled.approver)
    db.session.commit()
    auth.login(handled.editor.email)
    content, packet = _packet(client, handled.consultation.id)
    names = packet.namelist()
    assert names[:6] == [
        "01-征求意见情况说明（内部版）.docx",
        "02-征求意见情况说明（内部版）.pdf",
        "03-意见采纳情况表（内部版）.xlsx",
        "04-征求意见稿.docx",
        "05-起草说明.docx",
        "06-公开征求意见公告（存档）.html",
    ]
    manifest = json.loads(packet.read("manifest.json"))
    for item in manifest["files"]:
        assert hashlib.sha256(packet.read(item["name"])).hexdigest() == item["sha256"]
    assert manifest["notice_archived_at_publication"] is True
    listing = packet.read("清单.txt").decode()
    assert all(item["sha256"] in listing for item in manifest["files"])
    # The summaries inside are issued documents of their own, and so is the zip.
    assert find_by_content(packet.read("01-征求意见情况说明（内部版）.docx")) is not None
    document = find_by_content(content)
    assert document is not None and document.format.value == "zip" and document.display_code == manifest["packet_code"]
    assert handled.consultation.title in packet.read("06-公开征求意见公告（存档）.html").decode()
    assert PHONE.encode() not in packet.read("03-意见采纳情况表（内部版）.xlsx")


def test_a_packet_without_a_stored_notice_renders_it_now_and_says_so_and_carries_the_exemption(client, auth):
    department = make_department()
    editor = make_user(Role.EDITOR, department)
    draft = make_consultation(department, phase="closed", created_by=editor)
    legality.record_exemption(draft, ExemptionBasis.STATE_SECRET, "涉及防汛物资储备布局。", editor)
    db.session.commit()
    auth.login(editor.email)
    _content, packet = _packet(client, draft.id)
    manifest = json.loads(packet.read("manifest.json"))
    assert manifest["notice_archived_at_publication"] is False
    notice = next(item for item in manifest["files"] if item["name"].endswith(".html"))
    assert "发布时未存档" in notice["note"]
    assert "07-免于公开征求意见说明.docx" in packet.namelist()
    assert "依法需要保密" in docx_text(packet.read("07-免于公开征求意见说明.docx"))
    assert db.session.scalar(db.select(db.func.count(IssuedDocument.id))) == 4  # docx, pdf, xlsx, zip
