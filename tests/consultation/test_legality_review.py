"""The legality-review gate and the reviewer: refused with every reason until the consultation is complete or
exempted; reviewers receive, return and pass packets; every step audited and shown in the history."""

from __future__ import annotations

import pytest

from consultation.comments import moderation
from consultation.drafting.services import WorkflowError
from consultation.legality import gate as legality
from consultation.legality.models import ExemptionBasis, ReviewState
from consultation.models import ConsultationStatus
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.consultation.summary_helpers import handled_consultation
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}


def _actions(consultation) -> list[str]:
    events = db.session.scalars(
        db.select(AuditEvent.action).where(
            AuditEvent.object_id == str(consultation.id), AuditEvent.action.like("%legality%")
        )
    )
    return list(events)


def test_the_gate_refuses_an_open_consultation_listing_every_reason(app):
    department = make_department()
    editor = make_user(Role.EDITOR, department)
    consultation = make_consultation(department, phase="open", contact_email="")  # e-mail channel, no address
    comment = add_comment(consultation, "建议增加充电桩。", name="甲")
    moderation.approve([comment], make_user(Role.MODERATOR))
    with pytest.raises(WorkflowError) as refused:
        legality.submit(consultation, editor)
    assert refused.value.problems == [
        "gate_period_completed",
        "gate_notice_method_deadline",
        "gate_comments_answered:1",
        "gate_feedback_published",
    ]
    assert consultation.status is ConsultationStatus.SCHEDULED and legality.review_of(consultation) is None


def test_the_gate_names_a_concentrated_opinion_without_a_reason(app):
    handled = handled_consultation(publish=False)
    for copy in handled.copies:  # an answer whose reason was lost (answers refuse it; older data may have it)
        copy.answer_reason = ""
    problems = {item.code: item for item in legality.checklist(handled.consultation).items}
    assert not problems["concentrated_reasons"].ok and problems["concentrated_reasons"].count == 3
    assert problems["period_completed"].ok and problems["explanation_published"].ok
    assert not problems["feedback_published"].ok


def test_a_complete_consultation_is_accepted_and_audited(app):
    handled = handled_consultation()
    checklist = legality.checklist(handled.consultation)
    assert checklist.complete and all(item.ok for item in checklist.items)
    review = legality.submit(handled.consultation, handled.editor)
    assert handled.consultation.status is ConsultationStatus.SUBMITTED_FOR_REVIEW
    assert review.state is ReviewState.SUBMITTED and not review.exempted
    assert _actions(handled.consultation) == ["consultation.legality_submit"]
    with pytest.raises(WorkflowError, match="legality_already_submitted"):
        legality.submit(handled.consultation, handled.editor)


def test_an_exempted_draft_is_accepted_without_consultation(app):
    department = make_department()
    editor = make_user(Role.EDITOR, department)
    draft = make_consultation(department, status=ConsultationStatus.DRAFT)
    with pytest.raises(WorkflowError) as refused:
        legality.submit(draft, editor)
    assert refused.value.problems == [  # never published: nothing of a consultation happened
        "gate_period_completed",
        "gate_notice_method_deadline",
        "gate_explanation_published",
        "gate_feedback_published",
    ]
    with pytest.raises(WorkflowError, match="exemption_note_required"):
        legality.record_exemption(draft, ExemptionBasis.EMERGENCY, " ", editor)
    legality.record_exemption(draft, ExemptionBasis.EMERGENCY, "防汛应急措施，须立即施行。", editor)
    review = legality.submit(draft, editor)
    assert review.exempted and review.status_before is ConsultationStatus.DRAFT
    assert draft.status is ConsultationStatus.SUBMITTED_FOR_REVIEW
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "consultation.legality_submit"))
    assert event.detail["exemption"] == {"basis": "emergency", "note": "防汛应急措施，须立即施行。"}


def test_the_reviewer_receives_returns_with_reasons_and_passes_after_resubmission(app):
    handled = handled_consultation()
    reviewer = make_user(Role.REVIEWER)
    consultation = handled.consultation
    legality.submit(consultation, handled.editor)
    legality.mark_received(consultation, reviewer)
    with pytest.raises(WorkflowError, match="reason_required"):
        legality.return_to_department(consultation, reviewer, "  ")
    legality.return_to_department(consultation, reviewer, "请补充公平竞争审查结论。")
    assert consultation.status is ConsultationStatus.FEEDBACK_PUBLISHED
    assert legality.review_of(consultation).state is ReviewState.RETURNED
    with pytest.raises(WorkflowError, match="legality_not_pending"):
        legality.mark_passed(consultation, reviewer)
    legality.submit(consultation, handled.editor)
    legality.mark_passed(consultation, reviewer, "同意。")
    assert legality.review_of(consultation).state is ReviewState.PASSED
    assert _actions(consultation) == [
        "consultation.legality_submit",
        "consultation.legality_received",
        "consultation.legality_returned",
        "consultation.legality_submit",
        "consultation.legality_passed",
    ]
    assert [event.action for event in legality.history(consultation)][-1] == "consultation.legality_passed"


# ------------------------------------------------------------------------------------------------ pages


def test_an_editor_sees_the_checklist_live_and_the_refusal_lists_every_reason(client, auth):
    department = make_department()
    editor = auth.login_as(Role.EDITOR, department)
    consultation = make_consultation(department, phase="open", created_by=editor)
    db.session.commit()
    page = client.get(f"/manage/consultations/{consultation.id}", headers=EN)
    # Still open, and no feedback; no comment is waiting, so that item is met.
    assert page.text.count('class="check-item missing"') == 2
    response = client.post(
        f"/manage/consultations/{consultation.id}/legality/submit", headers=EN, follow_redirects=True
    )
    assert "has not yet run its minimum period" in response.text and "feedback is not published" in response.text
    assert db.session.get(type(consultation), consultation.id).status is ConsultationStatus.SCHEDULED


def test_the_reviewer_dashboard_lists_submissions_and_records_each_step(client, auth):
    handled = handled_consultation()
    legality.submit(handled.consultation, handled.editor)
    db.session.commit()
    reviewer = auth.login_as(Role.REVIEWER)
    listing = client.get("/manage/review/", headers=EN)
    assert handled.consultation.title in listing.text and listing.text.count("✓") >= 6
    assert "packet.zip" in listing.text
    dashboard = client.get("/manage/", headers=EN)
    assert 'id="dashboard-legality-review"' in dashboard.text
    url = f"/manage/review/{handled.consultation.id}"
    client.post(url + "/received")
    refused = client.post(url + "/return", data={"reasons": ""}, headers=EN, follow_redirects=True)
    assert "Give the reasons" in refused.text
    client.post(url + "/return", data={"reasons": "附件不全，请补充。"})
    db.session.expire_all()
    assert handled.consultation.status is ConsultationStatus.FEEDBACK_PUBLISHED
    summary = client.get(f"/manage/consultations/{handled.consultation.id}/summary", headers=EN)
    assert summary.status_code == 200  # the reviewer still sees what was submitted to them
    auth.logout()
    auth.login(handled.editor.email)
    page = client.get(f"/manage/consultations/{handled.consultation.id}/summary", headers=EN)
    assert "附件不全，请补充。" in page.text and "Returned by the legality reviewer" in page.text
    events = [(e.action, e.actor_id) for e in legality.history(handled.consultation) if "legality" in e.action]
    assert events[-2:] == [
        ("consultation.legality_received", reviewer.id),
        ("consultation.legality_returned", reviewer.id),
    ]


def test_an_editor_records_an_exemption_and_submits_a_draft_through_the_pages(client, auth):
    department = make_department()
    auth.login_as(Role.EDITOR, department)
    draft = make_consultation(department, status=ConsultationStatus.DRAFT)
    db.session.commit()
    base = f"/manage/consultations/{draft.id}"
    client.post(base + "/legality/exemption", data={"basis": "internal_affairs", "note": "仅涉及机关内部管理。"})
    client.post(base + "/legality/submit")
    db.session.expire_all()
    assert draft.status is ConsultationStatus.SUBMITTED_FOR_REVIEW
    assert legality.review_of(draft).exempted
