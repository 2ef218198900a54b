"""The feedback (结果反馈) a department publishes after closing: statistics that add up, the concentrated
opinions with their answers, the main changes and the table of answers; when it is due, and who is told.

Numbers add up: received = valid + awaiting moderation + rejected (by reason); valid = Σ by answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Row, Select, func, or_

from consultation import labels
from consultation.comments import commenting
from consultation.comments.public_names import public_name
from consultation.drafting import periods
from consultation.drafting.services import WorkflowError
from consultation.handling import answers
from consultation.handling.models import ConsultationFeedback
from consultation.models import (
    Adoption,
    Channel,
    Comment,
    Consultation,
    ConsultationStatus,
    ModerationStatus,
    RejectionReason,
    RespondentType,
    Validity,
)
from core import audit, integrity, outbox
from core.db import utcnow
from core.extensions import db
from core.holidays import load_workday_calendar
from core.links import site_url
from core.models import User
from core.screening import mask_personal_data, mask_personal_data_keeping

# Statuses in which the feedback is public.
PUBLISHED_STATUSES = (
    ConsultationStatus.FEEDBACK_PUBLISHED,
    ConsultationStatus.SUBMITTED_FOR_REVIEW,
    ConsultationStatus.CONCLUDED,
    ConsultationStatus.ARCHIVED,
)


@dataclass
class FeedbackStats:
    received: int = 0
    participants: int = 0
    valid: int = 0
    pending: int = 0
    rejected_by_reason: dict[RejectionReason, int] = field(default_factory=dict)
    by_channel: dict[Channel, int] = field(default_factory=dict)
    by_respondent: dict[RespondentType, int] = field(default_factory=dict)
    by_adoption: dict[Adoption, int] = field(default_factory=dict)
    unanswered: int = 0

    @property
    def rejected(self) -> int:
        return sum(self.rejected_by_reason.values())


def _grouped(consultation: Consultation, column: object, *conditions: object) -> dict:
    rows = db.session.execute(
        db.select(column, func.count(Comment.id))
        .where(Comment.consultation_id == consultation.id, *conditions)
        .group_by(column)
    ).all()
    return {key: count for key, count in rows}


def statistics(consultation: Consultation, *, as_published: bool = False) -> FeedbackStats:
    """The counts of the feedback, from the live data; `as_published`: as the public feedback shows them, without
    the late letters registered after publication (the addenda show those; the 说明 counts every comment)."""
    published = _as_published(consultation) if as_published else ()
    by_status = _grouped(consultation, Comment.moderation_status, *published)
    by_adoption = _grouped(consultation, Comment.adoption, Comment.validity == Validity.VALID, *published)
    return FeedbackStats(
        received=sum(by_status.values()),
        participants=commenting.participant_count(consultation, *published),  # type: ignore[arg-type]
        valid=sum(by_adoption.values()),
        pending=by_status.get(ModerationStatus.PENDING, 0),
        rejected_by_reason=_grouped(
            consultation, Comment.rejection_reason, Comment.moderation_status == ModerationStatus.REJECTED, *published
        ),
        by_channel=_grouped(consultation, Comment.channel, *published),
        by_respondent=_grouped(consultation, Comment.respondent_type, *published),
        by_adoption={key: count for key, count in by_adoption.items() if key is not None},
        unanswered=by_adoption.get(None, 0),
    )


# ------------------------------------------------------------------------------------------------ content


@dataclass
class ConcentratedOpinion:
    """A 相对集中意见 as published: what it concerns, how many raised it, and the answers it got."""

    label: str
    submitters: int
    comments: int
    sample: str  # a cluster's first comment (masked); empty for a unit
    answers: list[tuple[Adoption | None, str, str, int]]  # adoption, reason, change, how many got it
    key: str = ""  # "unit:<key>" or "cluster:<id>" (the label is translated: the seal holds the key)


def _answer_rows(consultation: Consultation, *conditions: object) -> dict[int, Row]:
    """The valid comments as light rows (what grouping and answers need, not their text), by id.

    answers.concentrated_groups reads id, unit_key, cluster_id and author_name, which the rows have; a
    consultation of 100,000 comments then costs tens of megabytes here instead of a gigabyte of objects.
    """
    query = (
        db.select(Comment.id, Comment.unit_key, Comment.cluster_id, Comment.author_name)
        .add_columns(Comment.adoption, Comment.answer_reason, Comment.answer_change)
        .where(Comment.consultation_id == consultation.id, Comment.validity == Validity.VALID, *conditions)
        .order_by(Comment.received_at, Comment.id)
    )
    return {row.id: row for row in db.session.execute(query)}


def concentrated_opinions(consultation: Consultation, *, as_published: bool = False) -> list[ConcentratedOpinion]:
    """`as_published`: as the public feedback shows them, without late letters (the 说明 counts every comment)."""
    comments = _answer_rows(consultation, *(_as_published(consultation) if as_published else ()))
    units = {row.key: row.label for row in consultation.units}
    opinions = []
    for group in answers.concentrated_groups(consultation, list(comments.values())):  # type: ignore[arg-type]
        members = [comments[comment_id] for comment_id in group.comment_ids]
        tally = Counter((c.adoption, c.answer_reason, c.answer_change) for c in members)
        if group.kind == "unit":
            label, sample = units.get(group.key, group.key), ""
        else:
            label = _("Similar comments (%(n)d)", n=len(members))
            sample = mask_personal_data(
                db.session.scalar(db.select(Comment.content).where(Comment.id == members[0].id))
            )
        opinions.append(
            ConcentratedOpinion(
                label=label,
                submitters=group.submitters,
                comments=len(members),
                sample=sample,
                answers=[(*key, count) for key, count in tally.most_common()],
                key=f"{group.kind}:{group.key}",
            )
        )
    return opinions


@dataclass
class FeedbackRow:
    """One row of the public table: a single comment, or a cluster shown once with how many sent it."""

    name: str
    unit: str
    content: str
    adoption: Adoption | None
    reason: str
    change: str
    size: int


def _as_published(consultation: Consultation) -> tuple[object, ...]:
    """Not the late letters (their twin's cluster has them for the department's handling): the table as sealed."""
    record = db.session.get(ConsultationFeedback, consultation.id)
    if record is None or record.published_at is None:
        return ()
    return (Comment.created_at <= record.published_at,)


def table_query(consultation: Consultation) -> Select:
    """Valid comments that stand for themselves, or for their cluster (its first valid member). Comments registered
    after the feedback was published are not in it: the addenda that answer them list them (handling/addenda), so
    the published table stays as it was sealed."""
    valid = (Comment.consultation_id == consultation.id, Comment.validity == Validity.VALID)
    valid += _as_published(consultation)
    first_of_cluster = db.select(func.min(Comment.id)).where(*valid, Comment.cluster_id.is_not(None))
    first_of_cluster = first_of_cluster.group_by(Comment.cluster_id)
    return (
        db.select(Comment)
        .where(*valid, or_(Comment.cluster_id.is_(None), Comment.id.in_(first_of_cluster)))
        .order_by(Comment.received_at, Comment.id)
    )


def table_rows(consultation: Consultation, comments: Iterable[Comment]) -> list[FeedbackRow]:
    """The public form of the rows: names masked, personal data masked, never a phone, e-mail or address."""
    comments = list(comments)
    units = {row.key: row.label for row in consultation.units}
    cluster_ids = [c.cluster_id for c in comments if c.cluster_id is not None]
    sizes = (
        dict(
            db.session.execute(
                db.select(Comment.cluster_id, func.count(Comment.id))
                .where(Comment.cluster_id.in_(cluster_ids), *_as_published(consultation))
                .where(Comment.validity == Validity.VALID)
                .group_by(Comment.cluster_id)
            ).all()
        )
        if cluster_ids
        else {}
    )
    rows, contacts = [], consultation.public_contacts()
    for comment in comments:
        size = sizes.get(comment.cluster_id, 1) if comment.cluster_id is not None else 1
        name = public_name(comment)
        rows.append(
            FeedbackRow(
                name=ngettext("%(name)s and %(num)d other", "%(name)s and %(num)d others", size - 1, name=name)
                if size > 1
                else name,
                unit=units.get(comment.unit_key or "", _("Whole draft")),
                content=mask_personal_data(comment.content),
                adoption=comment.adoption,
                # Staff write the answers; a resident's number quoted in one is masked, the office's own line kept.
                reason=mask_personal_data_keeping(comment.answer_reason, contacts),
                change=mask_personal_data_keeping(comment.answer_change, contacts),
                size=size,
            )
        )
    return rows


# ------------------------------------------------------------------------------------------------ publishing


def record_of(consultation: Consultation) -> ConsultationFeedback:
    record = db.session.get(ConsultationFeedback, consultation.id)
    if record is None:
        record = ConsultationFeedback(consultation_id=consultation.id, main_changes="")
        db.session.add(record)
    return record


def publication_problems(consultation: Consultation, main_changes: str, now: datetime | None = None) -> list[str]:
    """Why the feedback cannot be published yet (empty when it can); counted problems carry ":<n>"."""
    if consultation.status in PUBLISHED_STATUSES:
        return ["feedback_already_published"]
    if consultation.phase(now or utcnow()) != "closed":
        return ["feedback_not_closed"]
    problems = []
    stats = statistics(consultation)
    if stats.pending:
        problems.append(f"comments_pending:{stats.pending}")
    if stats.unanswered:
        problems.append(f"comments_unanswered:{stats.unanswered}")
    lacking = concentrated_without_reason(consultation)
    if lacking:
        problems.append(f"concentrated_reason_missing:{lacking}")
    if not main_changes.strip():
        problems.append("main_changes_missing")
    return problems


def concentrated_without_reason(consultation: Consultation) -> int:
    """How many comments of concentrated opinions are answered, not adopted, and have no reason."""
    comments = _answer_rows(consultation)
    return len(
        {
            comment_id
            for group in answers.concentrated_groups(consultation, list(comments.values()))  # type: ignore[arg-type]
            for comment_id in group.comment_ids
            if comments[comment_id].adoption not in (None, Adoption.ADOPTED) and not comments[comment_id].answer_reason
        }
    )


def save_main_changes(consultation: Consultation, text: str, editor: User) -> None:
    answers.check_answerable(consultation)
    record = record_of(consultation)
    if record.main_changes != text.strip():
        record.main_changes = text.strip()
        audit.record("consultation.feedback_draft", consultation, actor=editor)


def publish(consultation: Consultation, main_changes: str, editor: User, now: datetime | None = None) -> list[Comment]:
    """Publish the feedback; returns the comments whose authors asked to be told (mail them after the commit)."""
    now = now or utcnow()
    problems = publication_problems(consultation, main_changes, now)
    if problems:
        raise WorkflowError(problems)
    record = record_of(consultation)
    record.main_changes = main_changes.strip()
    record.published_at = now
    record.published_by_id = editor.id
    consultation.status = ConsultationStatus.FEEDBACK_PUBLISHED
    integrity.seal("consultation.feedback", consultation, editor, reason="publish")
    stats = statistics(consultation)
    audit.record(
        "consultation.feedback_publish",
        consultation,
        detail={"received": stats.received, "valid": stats.valid, "rejected": stats.rejected},
        actor=editor,
    )
    return list(
        db.session.scalars(
            db.select(Comment).where(
                Comment.consultation_id == consultation.id, Comment.notify_me.is_(True), Comment.email != ""
            )
        )
    )


def notify_commenters(consultation: Consultation, comments: Iterable[Comment]) -> int:
    """E-mail each commenter who opted in (the outcome of their comment and the link to the feedback): written into
    the outbox in the publication's own transaction, sent by the worker after the commit; returns how many."""
    link = site_url("consultation.feedback", consultation_id=consultation.id)
    subject = _("Feedback published: %(title)s", title=consultation.title)
    messages = []
    for comment in comments:
        if comment.adoption is not None:
            outcome = str(labels.ADOPTION_LABELS[comment.adoption])
            if comment.answer_reason:
                outcome += "\n" + _("Reason: %(reason)s", reason=comment.answer_reason)
        elif comment.rejection_reason is not None:
            outcome = str(labels.REJECTION_LABELS[comment.rejection_reason])
        else:
            outcome = str(labels.MODERATION_LABELS[comment.moderation_status])
        body = _(
            "The feedback on %(title)s has been published.\n\nYour comment (receipt %(receipt)s):\n%(outcome)s\n\n"
            "The full feedback: %(link)s\n\nThis is an automatic message; do not reply to it.",
            title=consultation.title,
            receipt=comment.receipt_number,
            outcome=outcome,
            link=link,
        )
        messages.append((comment.email, subject, body, f"feedback-published:{comment.id}"))
    return outbox.enqueue_many(messages)


# ------------------------------------------------------------------------------------------------ due dates


@dataclass
class DueFeedback:
    consultation: Consultation
    due: date
    overdue: bool
    # Years without a holiday calendar counted with weekends only: the due day may still move.
    provisional_years: list[int] = field(default_factory=list)


def due_date(consultation: Consultation) -> date | None:
    """The last day to publish the feedback: N working days after the last day of the period."""
    if consultation.end_at is None:
        return None
    days = int(current_app.config["CONSULTATION_FEEDBACK_DUE_WORKING_DAYS"])
    return load_workday_calendar().add_workdays(periods.local_date(consultation.end_at), days)


def due_provisional_years(consultation: Consultation, due: date | None) -> list[int]:
    """Years the count to `due` ran through without a known holiday calendar (weekends only)."""
    if consultation.end_at is None or due is None:
        return []
    return load_workday_calendar().missing_years(periods.local_date(consultation.end_at), due)


def feedback_due(department_ids: Iterable[int], now: datetime | None = None) -> list[DueFeedback]:
    """Closed consultations of these departments whose feedback is not published yet, soonest due first."""
    now = now or utcnow()
    closed = db.session.scalars(
        db.select(Consultation).where(
            Consultation.department_id.in_(list(department_ids)),
            Consultation.status == ConsultationStatus.SCHEDULED,
            Consultation.end_at < now,
        )
    ).all()
    today = periods.local_date(now)
    items = []
    for consultation in closed:
        due = due_date(consultation)
        if due is not None:
            guessed = due_provisional_years(consultation, due)
            items.append(DueFeedback(consultation, due, overdue=due < today, provisional_years=guessed))
    return sorted(items, key=lambda item: item.due)


def with_published_feedback(department_id: int | None = None) -> list[tuple[Consultation, ConsultationFeedback]]:
    """Consultations whose feedback is public, most recently published first."""
    query = (
        db.select(Consultation, ConsultationFeedback)
        .join(ConsultationFeedback, ConsultationFeedback.consultation_id == Consultation.id)
        .where(Consultation.status.in_(PUBLISHED_STATUSES), ConsultationFeedback.published_at.is_not(None))
        .order_by(ConsultationFeedback.published_at.desc())
    )
    if department_id:
        query = query.where(Consultation.department_id == department_id)
    rows = [(consultation, record) for consultation, record in db.session.execute(query).all()]
    return integrity.servable("consultation.feedback", rows, lambda row: row[0].id)
