"""Late letters and the addendum that answers them (补充反馈).

A letter posted before the deadline can reach the department after the feedback was published; staff register it
like any letter. It is then shown on the legality checklist until an addendum to the feedback answers it publicly:
the editor answers it (registered by staff, who read it, so answering accepts it as valid unless it is marked
otherwise) and publishes the addendum, which the public feedback page shows under its own date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consultation.comments.public_names import public_name
from consultation.drafting.services import WorkflowError
from consultation.handling.models import ConsultationFeedback
from consultation.handling.participation import FeedbackAddendum
from consultation.models import Adoption, Comment, Consultation, ConsultationStatus, ModerationStatus, Validity
from core import audit, integrity
from core.db import utcnow
from core.extensions import db
from core.links import site_url
from core.models import User
from core.screening import mask_personal_data, mask_personal_data_keeping

# Statuses in which a late letter can still be answered in an addendum: once decided, the record is closed.
_OPEN_FOR_ADDENDA = (ConsultationStatus.FEEDBACK_PUBLISHED, ConsultationStatus.SUBMITTED_FOR_REVIEW)


def feedback_published_at(consultation: Consultation) -> datetime | None:
    record = db.session.get(ConsultationFeedback, consultation.id)
    if not consultation.status.is_published or consultation.status is ConsultationStatus.SCHEDULED or record is None:
        return None
    return record.published_at


def addenda(consultation: Consultation) -> list[FeedbackAddendum]:
    return list(
        db.session.scalars(
            db.select(FeedbackAddendum)
            .where(FeedbackAddendum.consultation_id == consultation.id)
            .order_by(FeedbackAddendum.published_at, FeedbackAddendum.id)
        )
    )


def late_comments(consultation: Consultation, *, unanswered_publicly: bool = True) -> list[Comment]:
    """Comments registered after the feedback was published; by default only those no addendum has answered."""
    published_at = feedback_published_at(consultation)
    if published_at is None:
        return []
    comments = db.session.scalars(
        db.select(Comment)
        .where(Comment.consultation_id == consultation.id, Comment.created_at > published_at)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    if not unanswered_publicly:
        return list(comments)
    done = {comment_id for addendum in addenda(consultation) for comment_id in addendum.comment_ids}
    return [comment for comment in comments if comment.id not in done]


def is_open_late(consultation: Consultation, comments: list[Comment]) -> bool:
    """Whether these comments may be answered now: late ones not yet in an addendum, before the decision."""
    if consultation.status not in _OPEN_FOR_ADDENDA or not comments:
        return False
    late = {comment.id for comment in late_comments(consultation)}
    return all(comment.id in late for comment in comments)


def accept_late(comments: list[Comment], editor: User, now: datetime) -> None:
    """A late letter answered by the editor is accepted as valid (moderation is closed once feedback is out)."""
    for comment in comments:
        if comment.moderation_status is ModerationStatus.PENDING:
            comment.moderation_status, comment.validity = ModerationStatus.APPROVED, Validity.VALID
            comment.moderated_by_id, comment.moderated_at = editor.id, now


def addendum_problems(consultation: Consultation) -> list[str]:
    if consultation.status not in _OPEN_FOR_ADDENDA:
        return ["addendum_not_open"]
    late = late_comments(consultation)
    if not late:
        return ["addendum_nothing_late"]
    unanswered = sum(1 for comment in late if comment.validity is Validity.VALID and comment.adoption is None)
    pending = sum(1 for comment in late if comment.moderation_status is ModerationStatus.PENDING)
    return [f"comments_unanswered:{unanswered + pending}"] if unanswered + pending else []


def publish_addendum(
    consultation: Consultation, note: str, editor: User, now: datetime | None = None
) -> FeedbackAddendum:
    """Publish the answers to every late comment not yet answered publicly, with a note saying why they came late."""
    problems = addendum_problems(consultation)
    if problems:
        raise WorkflowError(problems)
    # The addendum seals the feedback again, with itself: a table changed outside the workflow must not be sealed
    # along with it. The portal office sees the breach (integrity check, the alert) and restores the table first.
    if not integrity.intact("consultation.feedback", consultation.id):
        raise WorkflowError(["feedback_seal_broken"])
    late = late_comments(consultation)
    addendum = FeedbackAddendum(
        consultation_id=consultation.id,
        note=note.strip(),
        comment_ids=[comment.id for comment in late],
        published_at=now or utcnow(),
        published_by_id=editor.id,
    )
    db.session.add(addendum)
    db.session.flush()
    integrity.seal("consultation.feedback", consultation, editor, reason="addendum")  # the addendum is sealed too
    audit.record(
        "consultation.feedback_addendum",
        consultation,
        detail={"addendum": addendum.id, "receipts": [comment.receipt_number for comment in late]},
        actor=editor,
    )
    return addendum


@dataclass(frozen=True)
class AddendumRow:
    """A late comment as the public addendum shows it: masked name, masked text, the answer."""

    name: str
    content: str
    adoption: Adoption | None
    reason: str
    change: str
    valid: bool


def public_addenda(consultation: Consultation) -> list[tuple[FeedbackAddendum, list[AddendumRow]]]:
    """Each published addendum with its rows, as sealed (consultation/sealing.py): its note as the editor wrote it."""
    result = []
    for addendum in addenda(consultation):
        comments = db.session.scalars(
            db.select(Comment).where(Comment.id.in_(addendum.comment_ids)).order_by(Comment.created_at, Comment.id)
        ).all()
        rows = [
            AddendumRow(
                name=public_name(comment),
                content=mask_personal_data(comment.content) if comment.validity is Validity.VALID else "",
                adoption=comment.adoption,
                reason=mask_personal_data_keeping(comment.answer_reason, consultation.public_contacts()),
                change=mask_personal_data_keeping(comment.answer_change, consultation.public_contacts()),
                valid=comment.validity is Validity.VALID,
            )
            for comment in comments
        ]
        result.append((addendum, rows))
    return result


@dataclass(frozen=True)
class PublicAddendum:
    """An addendum as the public reads it on the feedback page, in the API and in the feedback feed."""

    id: int
    published_at: datetime
    note: str  # personal data masked, the department's own contacts kept
    rows: list[AddendumRow]


def published_addenda(consultation: Consultation) -> list[PublicAddendum]:
    """Each published addendum with its rows and its note masked like the answers (one text for every output)."""
    keep = consultation.public_contacts()
    return [
        PublicAddendum(addendum.id, addendum.published_at, mask_personal_data_keeping(addendum.note, keep), rows)
        for addendum, rows in public_addenda(consultation)
    ]


def addendum_url(consultation_id: int, addendum_id: int) -> str:
    """The addendum's place on the public feedback page: its address in the API, its entry's id in the feed."""
    return site_url("consultation.feedback", consultation_id=consultation_id) + f"#addendum-{addendum_id}"
