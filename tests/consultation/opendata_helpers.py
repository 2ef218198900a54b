"""Builders for the open-data tests: a consultation whose comments are moderated, answered and fed back."""

from __future__ import annotations

from consultation.comments import moderation
from consultation.handling import answers, feedback
from consultation.models import Adoption, Comment, Consultation
from core.models import Role
from tests.factories import make_user

REASON = answers.AnswerInput(Adoption.NOT_ADOPTED, "与上位法规定不一致。")


def publish_feedback(consultation: Consultation, comments: list[Comment], main_changes: str = "第三条改为每周巡查。"):
    """Approve and answer every comment, then publish the feedback as the drafting department would."""
    editor = make_user(Role.EDITOR, consultation.department)
    moderation.approve(comments, make_user(Role.MODERATOR))
    answers.answer(consultation, comments, REASON, editor)
    feedback.publish(consultation, main_changes, editor)
