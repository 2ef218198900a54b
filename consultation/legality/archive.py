"""Retiring out-of-date consultations: archived once their feedback has been public for a year.

docs/rules.md §7.4 ("Care for data"): out-of-date content is cleaned up, and an archive command shows what it would do
before it does it. An archived consultation stays public, reachable by its link and listed among the closed ones,
with its feedback; its page says it is archived, and a superseded round points to the round that replaced it.
A consultation whose legality review is still pending is never archived under the reviewer's feet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_

from consultation.handling.models import ConsultationFeedback
from consultation.legality.models import LegalityReview, ReviewState
from consultation.models import Consultation, ConsultationStatus
from core import audit
from core.db import utcnow
from core.extensions import db


@dataclass(frozen=True)
class ArchiveDue:
    consultation_id: int
    title: str
    status: ConsultationStatus
    feedback_published_at: datetime
    superseded_by: int | None  # the published next round, if there is one


def archive_due(now: datetime | None = None) -> list[ArchiveDue]:
    """Consultations whose feedback was published at least CONSULTATION_ARCHIVE_AFTER_DAYS ago, not archived yet,
    and not waiting for the legality reviewer (submitted ones count only once the review passed)."""
    cutoff = (now or utcnow()) - timedelta(days=int(current_app.config["CONSULTATION_ARCHIVE_AFTER_DAYS"]))
    review_passed = (
        db.select(LegalityReview.consultation_id).where(LegalityReview.state == ReviewState.PASSED).scalar_subquery()
    )
    rows = db.session.execute(
        db.select(Consultation, ConsultationFeedback.published_at)
        .join(ConsultationFeedback, ConsultationFeedback.consultation_id == Consultation.id)
        .where(ConsultationFeedback.published_at.is_not(None), ConsultationFeedback.published_at <= cutoff)
        .where(
            or_(
                Consultation.status.in_((ConsultationStatus.FEEDBACK_PUBLISHED, ConsultationStatus.CONCLUDED)),
                (Consultation.status == ConsultationStatus.SUBMITTED_FOR_REVIEW) & Consultation.id.in_(review_passed),
            )
        )
        .order_by(ConsultationFeedback.published_at, Consultation.id)
    ).all()
    next_rounds = dict(
        db.session.execute(
            db.select(Consultation.previous_round_id, Consultation.id).where(
                Consultation.previous_round_id.in_([row[0].id for row in rows]),
                Consultation.status.not_in(
                    (ConsultationStatus.DRAFT, ConsultationStatus.IN_REVIEW, ConsultationStatus.RETURNED)
                ),
            )
        ).all()
    )
    return [
        ArchiveDue(
            consultation.id, consultation.title, consultation.status, published_at, next_rounds.get(consultation.id)
        )
        for consultation, published_at in rows
    ]


def archive(now: datetime | None = None) -> list[ArchiveDue]:
    """Archive every consultation due (the caller commits); each one is audited with the status it left."""
    due = archive_due(now)
    for item in due:
        consultation = db.session.get(Consultation, item.consultation_id)
        consultation.status = ConsultationStatus.ARCHIVED
        audit.record(
            "consultation.archive",
            consultation,
            detail={"from": item.status.value, "feedback_published_at": item.feedback_published_at.isoformat()},
        )
    return due
