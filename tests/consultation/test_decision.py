"""Rule 9 after the decision: the department publishes the decided document and its 政策解读, each reviewed by a
second person (documents: tests/consultation/test_decision_documents.py); the 解读 is refused with the reason until
it links to its policy, and every step is audited."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import Image
from pypdf import PdfWriter

from consultation.decision import documents, services
from consultation.decision.models import ChartKind, DecidedDocument, Interpretation, InterpretationStatus
from consultation.drafting.services import WorkflowError
from consultation.handling.models import ConsultationFeedback
from consultation.legality.models import ConsultationConclusion, LegalityReview, Outcome, ReviewState
from consultation.models import Consultation, ConsultationStatus
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.factories import make_department, make_user

EN = {"Accept-Language": "en"}
DOC_TITLE = "《东洲区住宅小区电动自行车停放充电管理办法》"
PARTS = {
    "title": "《东洲区住宅小区电动自行车停放充电管理办法》政策解读",
    "background": "近年来电动自行车火灾多发，住宅小区充电设施不足。",
    "goals": "到2027年底，每个住宅小区建成集中充电场所。",
    "key_measures": "## 主要措施\n\n- 新建小区按车位的20%配建充电设施\n- 物业每日巡查",
    "changes": "根据公众意见，配建比例由10%提高到20%。咨询电话13904135566。",
}


def decided(department, concluded_at: datetime | None = None, outcome: Outcome = Outcome.DECIDED) -> Consultation:
    """A consultation with its feedback published, its legality review passed and its outcome recorded."""
    consultation = make_consultation(department, phase="closed", status=ConsultationStatus.CONCLUDED)
    db.session.add(
        ConsultationFeedback(consultation_id=consultation.id, published_at=utcnow(), main_changes="配建比例提高。")
    )
    db.session.add(
        LegalityReview(
            consultation_id=consultation.id,
            state=ReviewState.PASSED,
            status_before=ConsultationStatus.FEEDBACK_PUBLISHED,
        )
    )
    db.session.add(
        ConsultationConclusion(
            consultation_id=consultation.id, outcome=outcome, note="经区政府常务会议审议通过。",
            concluded_at=concluded_at or utcnow(),
        )
    )  # fmt: skip
    db.session.commit()
    return consultation


def publish_document(consultation, editor, approver, given: documents.DocumentInput | None = None) -> DecidedDocument:
    """The decided document as the department publishes it: prepared and submitted by the editor, approved by an
    approver who did not prepare it."""
    prepared = documents.prepare(
        consultation, editor, given or documents.DocumentInput(DOC_TITLE, url="https://x.example.cn/8")
    )
    documents.submit(prepared, editor)
    return documents.approve(prepared, approver)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 78, 121)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def department(app):
    return make_department(name="区住建局")


def test_the_chain_is_published_with_four_eyes_and_every_step_is_audited(app, department):
    consultation = decided(department)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    interpretation = services.save_interpretation(consultation, editor, PARTS)
    with pytest.raises(WorkflowError) as refused:
        services.submit(interpretation, editor)
    assert refused.value.problems == ["document_missing"], "a 解读 must not go out without its policy"

    publish_document(
        consultation,
        editor,
        approver,
        documents.DocumentInput(DOC_TITLE, "东政发〔2026〕8号", "https://www.dongzhou.gov.cn/zwgk/8.html"),
    )
    services.submit(interpretation, editor)
    with pytest.raises(WorkflowError) as same:
        services.approve(interpretation, editor)
    assert same.value.problems == ["same_person"]
    author_approver = make_user(Role.APPROVER, department)
    interpretation.created_by_id = author_approver.id
    with pytest.raises(WorkflowError):
        services.approve(interpretation, author_approver)  # wrote it: may not approve it either
    services.approve(interpretation, approver)
    db.session.commit()
    assert interpretation.status is InterpretationStatus.PUBLISHED and interpretation.reviewed_by_id == approver.id
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_id == str(consultation.id))).all()
    assert {
        "consultation.interpretation_create",
        "consultation.decided_document_prepare",
        "consultation.decided_document_submit",
        "consultation.decided_document_publish",
        "consultation.interpretation_submit",
        "consultation.interpretation_approve",
    } <= set(actions)
    with pytest.raises(WorkflowError) as locked:
        services.save_interpretation(consultation, editor, {"title": "改"})
    assert locked.value.problems == ["interpretation_not_editable"]


def test_only_a_decided_consultation_has_a_document_and_a_return_needs_reasons(app, department):
    withdrawn = decided(department, outcome=Outcome.WITHDRAWN)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    with pytest.raises(WorkflowError) as refused:
        documents.prepare(withdrawn, editor, documents.DocumentInput(DOC_TITLE, url="https://x.example.cn/a"))
    assert refused.value.problems == ["not_decided"]
    consultation = decided(department)
    with pytest.raises(WorkflowError) as empty:
        documents.prepare(consultation, editor, documents.DocumentInput(" "))
    assert empty.value.problems == ["document_title_missing", "document_source_missing"]
    publish_document(consultation, editor, approver)
    interpretation = services.save_interpretation(consultation, editor, {**PARTS, "goals": " "})
    with pytest.raises(WorkflowError) as incomplete:
        services.submit(interpretation, editor)
    assert incomplete.value.problems == ["section_missing:goals"]
    services.save_interpretation(consultation, editor, PARTS)
    services.submit(interpretation, editor)
    with pytest.raises(WorkflowError) as no_reason:
        services.return_to_author(interpretation, approver, "  ")
    assert no_reason.value.problems == ["reason_required"]
    services.return_to_author(interpretation, approver, "请补充图表。")
    assert interpretation.status is InterpretationStatus.RETURNED
    services.save_interpretation(consultation, editor, {"goals": "新的目标。"})  # returned: editable again


def _form(**fields):
    return {**PARTS, **fields}


def test_editor_approver_and_resident_follow_the_chain_through_the_pages(client, auth, department):
    consultation = decided(department)
    approver = make_user(Role.APPROVER, department, email="approver-chain@example.cn")
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    overview = client.get(f"/manage/consultations/{consultation.id}/decision", headers=EN)
    assert overview.status_code == 200 and "Submit for review" in overview.text
    refused = client.post(
        f"/manage/consultations/{consultation.id}/decision/document",
        data={"title": DOC_TITLE, "action": "submit"},
        headers=EN,
    )
    assert refused.status_code == 400 and "Upload the issued document or give the address" in refused.text
    assert DOC_TITLE in refused.text, "what was typed is kept"
    pdf = pdf_bytes()
    submitted = client.post(
        f"/manage/consultations/{consultation.id}/decision/document",
        data={"title": DOC_TITLE, "number": "东政发〔2026〕8号", "file": (io.BytesIO(pdf), "办法.pdf"),
              "action": "submit"},
        content_type="multipart/form-data",
        headers=EN,
    )  # fmt: skip
    assert submitted.status_code == 303
    assert client.get(f"/consultations/{consultation.id}/decided-document").status_code == 404, "not before approval"
    assert (
        client.post(f"/manage/consultations/{consultation.id}/interpretation", data=_form(), headers=EN).status_code
        == 303
    )
    figure = {
        "title": "充电设施配建比例", "unit": "%", "kind": "bars", "series_1": "征求意见稿", "series_2": "正式文件",
        "rows-0-label": "新建小区", "rows-0-value_1": "10", "rows-0-value_2": "20",
        "rows-1-label": "既有小区", "rows-1-value_1": "5", "rows-1-value_2": "8",
        "rows-2-label": "", "rows-2-value_1": "",
    }  # fmt: skip
    assert (
        client.post(
            f"/manage/consultations/{consultation.id}/interpretation/figures/new", data=figure, headers=EN
        ).status_code
        == 303
    )
    bad = client.post(
        f"/manage/consultations/{consultation.id}/interpretation/figures/new",
        data={**figure, "rows-1-label": "", "series_2": ""}, headers=EN,
    )  # fmt: skip
    assert (
        bad.status_code == 400
        and "Every row with numbers needs a label" in bad.text
        and "Name every column" in bad.text
    )
    image = client.post(
        f"/manage/consultations/{consultation.id}/interpretation/images",
        data={"image": (io.BytesIO(png_bytes()), "图解.png"), "alt": "充电设施分布示意图"},
        content_type="multipart/form-data",
    )
    assert image.status_code == 303
    not_image = client.post(
        f"/manage/consultations/{consultation.id}/interpretation/images",
        data={"image": (io.BytesIO(pdf), "x.pdf"), "alt": "文件"}, content_type="multipart/form-data", headers=EN,
    )  # fmt: skip
    assert "Only JPEG and PNG pictures" in client.get(not_image.headers["Location"], headers=EN).text
    assert client.post(f"/manage/consultations/{consultation.id}/interpretation/submit").status_code == 303
    assert client.get(f"/consultations/{consultation.id}/interpretation").status_code == 404, "not before approval"
    own = client.post(f"/manage/consultations/{consultation.id}/interpretation/review", data={"decision": "approve"})
    assert own.status_code == 403, "an editor does not approve"
    own = client.post(f"/manage/consultations/{consultation.id}/decision/document/review", data={"decision": "approve"})
    assert own.status_code == 403, "nor the document"

    auth.logout()
    auth.login(approver.email)
    review = client.get(f"/manage/consultations/{consultation.id}/interpretation/review", headers=EN)
    assert "Approve and publish" in review.text and 'id="masked-note"' in review.text
    assert 'id="document-review-link"' in review.text, "the document it interprets waits for review too"
    too_early = client.post(
        f"/manage/consultations/{consultation.id}/interpretation/review", data={"decision": "approve"}, headers=EN
    )
    assert "Approve the decided document first" in client.get(too_early.headers["Location"], headers=EN).text
    document_review = client.get(f"/manage/consultations/{consultation.id}/decision/document/review", headers=EN)
    assert "Approve and publish" in document_review.text and "东政发〔2026〕8号" in document_review.text
    prepared_file = client.get(f"/manage/consultations/{consultation.id}/decision/document/prepared/file")
    assert prepared_file.status_code == 200 and prepared_file.data == pdf, "the approver reads the file first"
    prepared_file.close()
    for path in ("decision/document/review", "interpretation/review"):
        approved = client.post(f"/manage/consultations/{consultation.id}/{path}", data={"decision": "approve"})
        assert approved.status_code == 303
    auth.logout()

    page = client.get(f"/consultations/{consultation.id}/interpretation", headers=EN)
    assert page.status_code == 200 and PARTS["title"] in page.text
    assert "13904135566" not in page.text and "139****5566" in page.text, "personal data masked on the public page"
    assert "<svg" in page.text and '<table class="figure-table">' in page.text and "<td>20</td>" in page.text
    assert f'href="/consultations/{consultation.id}/decided-document"' in page.text
    assert f'href="/consultations/{consultation.id}/feedback"' in page.text
    assert f'href="/consultations/{consultation.id}"' in page.text
    picture = db.session.scalar(db.select(Interpretation)).images[0]
    shown = client.get(f"/consultations/{consultation.id}/interpretation/images/{picture.id}")
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    shown.close()
    document = client.get(f"/consultations/{consultation.id}/decided-document", headers=EN)
    assert (
        "东政发〔2026〕8号" in document.text
        and f'href="/consultations/{consultation.id}/interpretation"' in document.text
    )
    download = client.get(f"/consultations/{consultation.id}/decided-document/file")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    for path in (f"/consultations/{consultation.id}", f"/consultations/{consultation.id}/feedback"):
        text = client.get(path).text
        assert f'href="/consultations/{consultation.id}/decided-document"' in text, path
        assert f'href="/consultations/{consultation.id}/interpretation"' in text, path


def test_an_editor_of_another_department_gets_403_and_an_author_cannot_approve(client, auth, department):
    consultation = decided(department)
    editor = make_user(Role.EDITOR, department)
    publish_document(consultation, editor, make_user(Role.APPROVER, department))
    interpretation = services.save_interpretation(consultation, editor, PARTS)
    services.submit(interpretation, editor)
    db.session.commit()
    auth.login_as(Role.EDITOR, make_department())
    base = f"/manage/consultations/{consultation.id}"
    assert client.get(f"{base}/decision").status_code == 403
    assert client.get(f"{base}/interpretation").status_code == 403
    assert (
        client.post(f"{base}/decision/document", data={"title": "x", "url": "https://x.example.cn"}).status_code == 403
    )
    assert client.post(f"{base}/interpretation/figures/new", data={"title": "x"}).status_code == 403
    auth.logout()
    # An approver who also wrote it: the page offers no approval, and a POST is refused by the service.
    author = make_user(Role.APPROVER, department, email="author-approver@example.cn")
    interpretation.created_by_id = author.id
    db.session.commit()
    auth.login(author.email)
    page = client.get(f"{base}/interpretation/review", headers=EN)
    assert page.status_code == 200 and "Approve and publish" not in page.text
    client.post(f"{base}/interpretation/review", data={"decision": "approve"})
    db.session.expire_all()
    assert db.session.get(Interpretation, interpretation.id).status is InterpretationStatus.IN_REVIEW


def test_a_figure_with_two_columns_is_drawn_and_tabled(app, department):
    consultation = decided(department)
    editor = make_user(Role.EDITOR, department)
    interpretation = services.save_interpretation(consultation, editor, PARTS)
    figure = services.save_figure(
        interpretation,
        editor,
        {
            "title": "资金来源",
            "unit": "万元",
            "series": ["2025年", "2026年"],
            "rows": [["区财政", [120, 150.5]], ["社会资本", [80, 90]]],
            "kind": ChartKind.BARS,
        },
    )
    from consultation.decision.figures import chart

    svg = str(chart(figure))
    assert svg.startswith("<svg") and "区财政 · 2026年" in svg and "150.50万元" in svg
    figure.kind = ChartKind.SHARES
    assert "%" in str(chart(figure))


def test_recording_a_decision_leads_to_the_decision_page_and_the_staff_page_links_it(client, auth, department):
    consultation = make_consultation(department, phase="closed", status=ConsultationStatus.SUBMITTED_FOR_REVIEW)
    db.session.add(ConsultationFeedback(consultation_id=consultation.id, published_at=utcnow()))
    db.session.add(
        LegalityReview(
            consultation_id=consultation.id,
            state=ReviewState.PASSED,
            status_before=ConsultationStatus.FEEDBACK_PUBLISHED,
        )
    )
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    url = "https://www.dongzhou.gov.cn/zwgk/2026/8.html"
    done = client.post(
        f"/manage/consultations/{consultation.id}/conclude",
        data={"outcome": "decided", "note": "经区政府常务会议审议通过。", "document_url": url},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/manage/consultations/{consultation.id}/decision"
    )
    overview = client.get(done.headers["Location"], headers=EN).text
    assert f'value="{url}"' in overview, "the address given with the outcome starts the decided document's form"
    assert 'id="decision-link"' in client.get(f"/manage/consultations/{consultation.id}").text
    assert 'id="decision-link"' in client.get(f"/manage/consultations/{consultation.id}/conclude").text
    withdrawn = decided(department, outcome=Outcome.WITHDRAWN)
    assert client.get(f"/manage/consultations/{withdrawn.id}/decision").status_code == 404


def test_the_department_enquiry_line_stays_while_personal_data_is_masked(client, department):
    consultation = decided(department)
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    publish_document(consultation, editor, approver)
    office = department.office_phone
    text = f"咨询电话：{office}（区住建局）。居民张先生来电13904135566反映，住址东洲路66号。"
    interpretation = services.save_interpretation(consultation, editor, {**PARTS, "key_measures": text})
    services.submit(interpretation, editor)
    services.approve(interpretation, approver)
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/interpretation").text
    assert office in page, "the department's published phone is the 解读's enquiry line"
    assert "13904135566" not in page and "东洲路66号" not in page and "139****5566" in page
    api = client.get(f"/api/v1/consultations/{consultation.id}/interpretation").get_json()
    assert office in api["key_measures"] and "13904135566" not in api["key_measures"]
