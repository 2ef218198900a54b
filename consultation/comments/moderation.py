"""Pre-moderation of comments: the queue and its filters, approve, reject with a reason, validity, clusters.

Nothing a resident wrote is public before a moderator approves it. A rejected comment is not deleted: it keeps
its reason, so the published statistics count it and the numbers add up. Once a consultation's feedback is
published its comments are settled, and moderation of them is refused.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func

from consultation.comments import duplicates
from consultation.drafting.services import WorkflowError
from consultation.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    ModerationStatus,
    RejectionReason,
    Validity,
)
from core import audit
from core.db import utcnow
from core.extensions import db
from core.models import User

# The reason a rejection records when a moderator marks a comment with an invalid validity directly.
_REASON_FOR_VALIDITY = {
    Validity.DUPLICATE: RejectionReason.DUPLICATE,
    Validity.IRRELEVANT: RejectionReason.IRRELEVANT,
    Validity.ILLEGAL: RejectionReason.ILLEGAL,
}


@dataclass
class QueueFilter:
    """What the moderator asked to see. Empty strings mean "any"."""

    consultation_id: int | None = None
    state: str = ModerationStatus.PENDING.value  # a ModerationStatus value, or "all"
    flag: str = ""
    cluster: str = ""  # "" any, "clustered" in some cluster, or a cluster id

    @classmethod
    def from_args(cls, args: dict[str, str]) -> QueueFilter:
        consultation = args.get("consultation", "")
        state = args.get("state", ModerationStatus.PENDING.value)
        known_states = {status.value for status in ModerationStatus} | {"all"}
        return cls(
            consultation_id=int(consultation) if consultation.isdigit() else None,
            state=state if state in known_states else ModerationStatus.PENDING.value,
            flag=args.get("flag", "")[:60],
            cluster=args.get("cluster", "")[:20],
        )

    def as_args(self) -> dict[str, str]:
        return {
            "consultation": str(self.consultation_id or ""),
            "state": self.state,
            "flag": self.flag,
            "cluster": self.cluster,
        }


def queue_query(filters: QueueFilter) -> Select:
    """The comments matching the filter, oldest first, clusters kept together."""
    query = db.select(Comment)
    if filters.consultation_id:
        query = query.where(Comment.consultation_id == filters.consultation_id)
    if filters.state != "all":
        query = query.where(Comment.moderation_status == ModerationStatus(filters.state))
    if filters.flag == "attention":
        query = query.where(Comment.flags != "")
    elif filters.flag == "clean":
        query = query.where(Comment.flags == "")
    elif filters.flag:
        query = query.where(Comment.flags.contains(f" {filters.flag} ", autoescape=True))
    if filters.cluster == "clustered":
        query = query.where(Comment.cluster_id.is_not(None))
    elif filters.cluster.isdigit():
        query = query.where(Comment.cluster_id == int(filters.cluster))
    return query.order_by(Comment.consultation_id, Comment.received_at, Comment.id)


def matching_comments(filters: QueueFilter) -> list[Comment]:
    return list(db.session.scalars(queue_query(filters)))


def comments_by_id(ids: Sequence[int]) -> list[Comment]:
    return list(db.session.scalars(db.select(Comment).where(Comment.id.in_(list(ids))).order_by(Comment.id)))


class BatchRefused(WorkflowError):
    """A refused action on a selection, naming the comments that caused it, so the moderator can find them."""

    def __init__(self, problem: str, culprits: Sequence[Comment]) -> None:
        super().__init__([problem])
        self.culprits = list(culprits)


class ConfirmationNeeded(BatchRefused):
    """Approving comments the screening flagged with sensitive words (gambling, advertising spam…) needs the
    moderator to confirm those very comments: a bulk approval must not wave spam through unseen."""


def needs_confirmation(comment: Comment) -> bool:
    return any(flag.startswith("sensitive:") for flag in comment.flag_list)


def _settled(consultation: Consultation) -> bool:
    return consultation.status not in (ConsultationStatus.SCHEDULED,)


def _check(comments: Sequence[Comment]) -> None:
    if not comments:
        raise WorkflowError(["nothing_selected"])
    settled = [comment for comment in comments if _settled(comment.consultation)]
    if settled:
        raise BatchRefused("feedback_published", settled)


def _audit(action: str, comments: Sequence[Comment], moderator: User, **detail: object) -> None:
    """One audit event per consultation touched, naming every receipt number."""
    by_consultation: dict[int, list[Comment]] = {}
    for comment in comments:
        by_consultation.setdefault(comment.consultation_id, []).append(comment)
    for group in by_consultation.values():
        audit.record(
            action,
            group[0].consultation,
            detail={"receipts": [comment.receipt_number for comment in group], **detail},
            actor=moderator,
        )


def _moderate(
    comment: Comment,
    status: ModerationStatus,
    validity: Validity,
    reason: RejectionReason | None,
    moderator: User,
    now: datetime,
) -> None:
    comment.moderation_status = status
    comment.validity = validity
    comment.rejection_reason = reason
    comment.moderated_by_id = moderator.id
    comment.moderated_at = now
    if validity is not Validity.VALID:
        # An answer belongs to valid comments only; a comment taken out of them loses it.
        comment.adoption = None
        comment.answer_reason = comment.answer_change = ""
        comment.answered_by_id = comment.answered_at = None


def approve(
    comments: Sequence[Comment], moderator: User, now: datetime | None = None, *, confirmed: Collection[int] = ()
) -> int:
    """Accept comments as valid: they count, get answered, and may be shown publicly (masked).

    Refused (ConfirmationNeeded) while a comment flagged with sensitive words is not among the `confirmed` ids.
    """
    _check(comments)
    unconfirmed = [comment for comment in comments if needs_confirmation(comment) and comment.id not in confirmed]
    if unconfirmed:
        raise ConfirmationNeeded("flagged_needs_confirmation", unconfirmed)
    now = now or utcnow()
    for comment in comments:
        _moderate(comment, ModerationStatus.APPROVED, Validity.VALID, None, moderator, now)
    _audit("consultation.comment_approve", comments, moderator)
    return len(comments)


def reject(comments: Sequence[Comment], reason: RejectionReason, moderator: User, now: datetime | None = None) -> int:
    """Refuse comments with a reason code; they stay stored and are counted by reason."""
    _check(comments)
    now = now or utcnow()
    for comment in comments:
        _moderate(comment, ModerationStatus.REJECTED, reason.validity, reason, moderator, now)
    _audit("consultation.comment_reject", comments, moderator, reason=reason.value)
    return len(comments)


def mark_validity(
    comments: Sequence[Comment], validity: Validity, moderator: User, *, confirmed: Collection[int] = ()
) -> int:
    """有效 approves (see `approve` for `confirmed`); 重复 / 无关 / 含违法或不良信息 reject with the matching reason."""
    if validity is Validity.VALID:
        return approve(comments, moderator, confirmed=confirmed)
    return reject(comments, _REASON_FOR_VALIDITY[validity], moderator)


def merge(comments: Sequence[Comment], moderator: User) -> int:
    """Put the selected comments, with their clusters, into one cluster (a campaign the screening missed)."""
    _check(comments)
    if len({comment.consultation_id for comment in comments}) != 1:
        others = [comment for comment in comments if comment.consultation_id != comments[0].consultation_id]
        raise BatchRefused("merge_across_consultations", others)
    if len(comments) < 2 and comments[0].cluster_id is None:
        raise BatchRefused("merge_needs_two", comments)
    target = duplicates.join_clusters(comments[0].consultation_id, comments)
    _audit("consultation.comment_merge", comments, moderator, cluster_id=target)
    return target


def split_off(comments: Sequence[Comment], moderator: User) -> int:
    """Take comments out of their clusters (the screening joined texts that differ in substance)."""
    _check(comments)
    clustered = [comment for comment in comments if comment.cluster_id is not None]
    touched = {comment.cluster_id for comment in clustered}
    for comment in clustered:
        comment.cluster_id = None
    db.session.flush()
    for old in touched:
        rest = db.session.scalars(db.select(Comment).where(Comment.cluster_id == old).order_by(Comment.id)).all()
        # The cluster is named after its first member, which may just have left; a lone comment is no cluster.
        for member in rest:
            member.cluster_id = rest[0].id if len(rest) > 1 else None
    _audit("consultation.comment_split", clustered, moderator)
    return len(clustered)


def recheck_duplicates(consultation: Consultation, moderator: User) -> int:
    moved = duplicates.recheck(consultation)
    audit.record("consultation.duplicates_recheck", consultation, detail={"moved": moved}, actor=moderator)
    return moved


def pending_count() -> int:
    """Comments waiting for a moderator across the site (for the dashboard)."""
    return (
        db.session.scalar(
            db.select(func.count(Comment.id)).where(Comment.moderation_status == ModerationStatus.PENDING)
        )
        or 0
    )


def consultations_with_comments() -> list[Consultation]:
    """Consultations that have comments, newest first, for the queue's filter."""
    ids = db.select(Comment.consultation_id).distinct()
    return list(
        db.session.scalars(db.select(Consultation).where(Consultation.id.in_(ids)).order_by(Consultation.end_at.desc()))
    )
