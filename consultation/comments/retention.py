"""Commenters' contact details are deleted a set number of months after the feedback is published.

The privacy notice promises it (docs/rules.md §5 privacy.contact_data_retention_after_feedback_months: 6; PIPL
Art. 47: delete once the purpose is achieved): phone and e-mail were kept only so the department could reply and
the resident could look the comment up. The comments themselves, names included, stay as the record of the
consultation (713号 Art. 33). `flask consultation purge-contacts` runs it, daily from a timer; `--dry-run`
first shows what it would delete.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, func, or_, update

from consultation.handling.models import ConsultationFeedback
from consultation.models import Comment, Consultation
from core import audit
from core.db import utcnow
from core.extensions import db


@dataclass(frozen=True)
class ContactsDue:
    """A consultation whose feedback is old enough, and how many of its comments still hold contact details."""

    consultation_id: int
    title: str
    feedback_published_at: datetime
    comments_with_contacts: int


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's last day)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _holds_contacts() -> ColumnElement[bool]:
    return or_(Comment.phone != "", Comment.email != "")


def contacts_due(now: datetime | None = None) -> list[ContactsDue]:
    """Consultations whose feedback was published at least the retention period ago and still hold contacts."""
    months = int(current_app.config["CONSULTATION_CONTACT_RETENTION_MONTHS"])
    cutoff = months_before(now or utcnow(), months)
    rows = db.session.execute(
        db.select(Consultation.id, Consultation.title, ConsultationFeedback.published_at, func.count(Comment.id))
        .join(ConsultationFeedback, ConsultationFeedback.consultation_id == Consultation.id)
        .join(Comment, Comment.consultation_id == Consultation.id)
        .where(ConsultationFeedback.published_at.is_not(None), ConsultationFeedback.published_at <= cutoff)
        .where(_holds_contacts())
        .group_by(Consultation.id, Consultation.title, ConsultationFeedback.published_at)
        .order_by(ConsultationFeedback.published_at, Consultation.id)
    ).all()
    return [ContactsDue(row[0], row[1], row[2], row[3]) for row in rows]


def purge_contacts(now: datetime | None = None) -> list[ContactsDue]:
    """Blank the phone and e-mail of every comment in the consultations due (the caller commits); returns them.

    Each consultation's purge is audited with its count, never with the data removed.
    """
    due = contacts_due(now)
    for item in due:
        db.session.execute(
            update(Comment)
            .where(Comment.consultation_id == item.consultation_id, _holds_contacts())
            .values(phone="", email="", notify_me=False)
            .execution_options(synchronize_session=False)
        )
        consultation = db.session.get(Consultation, item.consultation_id)
        audit.record(
            "consultation.contacts_purged",
            consultation,
            detail={
                "comments": item.comments_with_contacts,
                "feedback_published_at": item.feedback_published_at.isoformat(),
            },
        )
    return due
