"""Builders for the open-data tests: a consultation whose comments are moderated, answered and fed back."""

from __future__ import annotations

from consultation.comments import commenting, moderation
from consultation.comments.commenting import CommentInput
from consultation.handling import addenda, answers, feedback
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


def publish_addendum(consultation: Consultation, letter: CommentInput, note: str = "该信件于截止日前寄出。") -> Comment:
    """A letter registered after the feedback, answered (partly adopted) and published in an addendum."""
    editor = make_user(Role.EDITOR, consultation.department)
    comment = commenting.record_offline_comment(consultation, letter, editor)
    answers.answer(
        consultation, [comment], answers.AnswerInput(Adoption.PARTLY_ADOPTED, "将在实施细则中统筹考虑。"), editor
    )
    addenda.publish_addendum(consultation, note, editor)
    return comment
