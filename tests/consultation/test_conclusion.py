"""How a consultation ended: decided only after a passed legality review, withdrawn, or superseded by a new round;
recorded by its own department, refused with every reason and the typed text kept, and shown on the public page."""

from __future__ import annotations

import pytest

from consultation.handling.models import ConsultationFeedback
from consultation.legality.models import ConsultationConclusion, LegalityReview, ReviewState
from consultation.models import Consultation, ConsultationStatus
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
NOTE = "经区政府第12次常务会议审议通过，以东政发〔2026〕8号印发。"


@pytest.fixture
def department(app):
    return make_department(name="区住建局")


def _after_feedback(department, review: ReviewState | None = None) -> Consultation:
    consultation = make_consultation(
        department, phase="closed", status=ConsultationStatus.SUBMITTED_FOR_REVIEW if review else
        ConsultationStatus.FEEDBACK_PUBLISHED,
    )  # fmt: skip
    db.session.add(ConsultationFeedback(consultation_id=consultation.id, published_at=utcnow()))
    if review:
        db.session.add(
            LegalityReview(
                consultation_id=consultation.id, state=review, status_before=ConsultationStatus.FEEDBACK_PUBLISHED
            )
        )
    db.session.commit()
    return consultation


def _conclude(client, consultation, **data):
    form = {"outcome": "decided", "note": NOTE, "document_url": "", **data}
    return client.post(f"/manage/consultations/{consultation.id}/conclude", data=form, headers=EN)


def test_decided_is_refused_until_the_legality_review_passed_and_keeps_what_was_typed(client, auth, department):
    consultation = _after_feedback(department, ReviewState.RECEIVED)
    auth.login_as(Role.EDITOR, department)
    refused = _conclude(client, consultation, document_url="https://www.dongzhou.gov.cn/zwgk/2026/8.html")
    assert refused.status_code == 200 and 'class="error-summary"' in refused.text
    assert "only after its legality review has passed" in refused.text
    assert NOTE in refused.text and "https://www.dongzhou.gov.cn/zwgk/2026/8.html" in refused.text
    assert db.session.get(ConsultationConclusion, consultation.id) is None

    db.session.get(LegalityReview, consultation.id).state = ReviewState.PASSED
    db.session.commit()
    done = _conclude(client, consultation, document_url="https://www.dongzhou.gov.cn/zwgk/2026/8.html")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).status is ConsultationStatus.CONCLUDED
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "consultation.conclude"))
    assert event.detail["outcome"] == "decided" and event.detail["from"] == "submitted_for_review"

    public = client.get(f"/consultations/{consultation.id}", headers=EN).text
    assert "Decided and issued" in public and NOTE in public
    assert 'href="https://www.dongzhou.gov.cn/zwgk/2026/8.html"' in public
    assert _conclude(client, consultation, outcome="withdrawn").status_code == 200, "shown, not recorded again"
    db.session.expire_all()
    assert db.session.get(ConsultationConclusion, consultation.id).outcome.value == "decided"


def test_superseded_needs_a_published_next_round_and_withdrawn_needs_only_a_note(client, auth, department):
    first = _after_feedback(department)
    auth.login_as(Role.EDITOR, department)
    assert "Publish the new round" in _conclude(client, first, outcome="superseded").text
    make_consultation(department, phase="open", previous_round_id=first.id, round_number=2)
    db.session.commit()
    assert _conclude(client, first, outcome="superseded", note="第二轮征求意见稿已发布。").status_code == 302

    other = _after_feedback(department)
    assert "Say how it ended" in _conclude(client, other, outcome="withdrawn", note="").text
    assert _conclude(client, other, outcome="withdrawn", note="因上位法修订，暂缓出台。").status_code == 302
    db.session.expire_all()
    assert db.session.get(ConsultationConclusion, other.id).outcome.value == "withdrawn"


def test_only_http_addresses_and_only_the_own_department(client, auth, department):
    consultation = _after_feedback(department, ReviewState.PASSED)
    auth.login_as(Role.EDITOR, make_department(name="区教育局"))
    assert _conclude(client, consultation).status_code == 403
    auth.logout()
    auth.login_as(Role.APPROVER, department)
    refused = _conclude(client, consultation, document_url="javascript:alert(1)")
    assert refused.status_code == 200 and "http or https" in refused.text
    assert db.session.get(ConsultationConclusion, consultation.id) is None
