"""The internal review of a survey's content before it is published (起草 → 审核 → 发布).

The editor submits; an approver of the same department who neither created nor submitted it approves
(from then on the clock decides whether it is open or closed) or returns it with a reason. Reopening an
approved survey for editing takes it off the public site until it is approved again.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from core import audit, integrity
from core.db import utcnow
from surveys.builder.services import BuilderError
from surveys.models import ReviewStatus, Survey
from surveys.permissions import may_review


def submit(survey: Survey, user: Any) -> None:
    if not survey.is_editable:
        raise BuilderError(_("Only a draft or a returned survey can be submitted."))
    if not any(question.type.takes_answer for question in survey.questions):
        raise BuilderError(_("Add at least one question before submitting."))
    if survey.ends_at <= survey.starts_at:
        raise BuilderError(_("The survey must end after it starts."))
    survey.status = ReviewStatus.IN_REVIEW
    survey.submitted_by_id = user.id
    audit.record("survey.submit", survey, detail={"version": survey.version})


def _decide(survey: Survey, user: Any, status: ReviewStatus, note: str) -> None:
    if survey.status is not ReviewStatus.IN_REVIEW:
        raise BuilderError(_("This survey is not waiting for review."))
    if not may_review(user, survey):
        raise BuilderError(_("Another approver of the department must review this survey."))
    survey.status = status
    survey.reviewed_by_id = user.id
    survey.review_note = note
    survey.reviewed_at = utcnow()


def approve(survey: Survey, user: Any, note: str = "") -> None:
    _decide(survey, user, ReviewStatus.APPROVED, note)
    audit.record("survey.approve", survey, detail={"version": survey.version, "note": note})
    integrity.seal("survey", survey, user)
    integrity.seal("survey.schedule", survey, user)


def return_for_changes(survey: Survey, user: Any, reason: str) -> None:
    if not reason.strip():
        raise BuilderError(_("Say why the survey is returned."), "note")
    _decide(survey, user, ReviewStatus.RETURNED, reason.strip())
    audit.record("survey.return", survey, detail={"version": survey.version, "reason": reason.strip()})


def reopen(survey: Survey, user: Any) -> None:
    """Take an approved or submitted survey back to draft for changes; it needs a new approval."""
    if survey.status not in (ReviewStatus.APPROVED, ReviewStatus.IN_REVIEW):
        raise BuilderError(_("This survey is already editable."))
    survey.status = ReviewStatus.DRAFT
    survey.version += 1
    audit.record("survey.reopen", survey, detail={"version": survey.version})
    for kind in ("survey", "survey.schedule"):  # off the public site by the workflow: recorded as withdrawn
        integrity.seal(kind, survey, user, reason="reopen")
