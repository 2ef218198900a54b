"""When the decided document and its 解读 are due (docs/rules.md rule 9): N working days after the decision. Each
counts once published, that is approved by a second person: one prepared or waiting for review is still due.

The count starts on the day the department recorded the consultation as decided and runs on the State Council
holiday calendar; a year without a calendar is counted Monday to Friday and the due day is marked provisional.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_

from consultation.decision.models import DecidedDocument, Interpretation, InterpretationStatus, PreparedDocument
from consultation.drafting import periods
from consultation.legality.models import ConsultationConclusion, Outcome
from consultation.models import Consultation
from core.db import utcnow
from core.extensions import db
from core.holidays import load_workday_calendar


@dataclass
class DueDecision:
    """A decided consultation whose document or 解读 is not public yet."""

    consultation: Consultation
    due: date
    overdue: bool
    document_missing: bool
    interpretation_missing: bool
    # Years without a holiday calendar counted with weekends only: the due day may still move.
    provisional_years: list[int] = field(default_factory=list)
    # Submitted and waiting for an approver: still missing until approved.
    document_in_review: bool = False


def due_date(conclusion: ConsultationConclusion) -> date:
    """The last day to publish: N working days after the day it was recorded as decided."""
    days = int(current_app.config["CONSULTATION_DECISION_DUE_WORKING_DAYS"])
    return load_workday_calendar().add_workdays(periods.local_date(conclusion.concluded_at), days)


def provisional_years(conclusion: ConsultationConclusion, due: date) -> list[int]:
    """Years the count ran through without a known holiday calendar."""
    return load_workday_calendar().missing_years(periods.local_date(conclusion.concluded_at), due)


def is_overdue(
    due: date, document: DecidedDocument | None, interpretation: Interpretation | None, now: datetime | None = None
) -> bool:
    """Past the due day with the document or the published 解读 still missing."""
    complete = (
        document is not None and interpretation is not None and interpretation.status is InterpretationStatus.PUBLISHED
    )
    return not complete and due < periods.local_date(now or utcnow())


# The published version only: a revision in progress neither counts nor doubles the consultation's row.
_published_version = and_(
    Interpretation.consultation_id == Consultation.id, Interpretation.status == InterpretationStatus.PUBLISHED
)

# At most one version of the document is in review at a time (each takes the next version number).
_document_in_review = and_(
    PreparedDocument.consultation_id == Consultation.id, PreparedDocument.status == InterpretationStatus.IN_REVIEW
)


def decision_due(department_ids: Iterable[int], now: datetime | None = None) -> list[DueDecision]:
    """Decided consultations of these departments still missing their document or 解读, soonest due first."""
    ids = list(department_ids)
    if not ids:
        return []
    rows = db.session.execute(
        db.select(
            Consultation,
            ConsultationConclusion,
            DecidedDocument.consultation_id,
            Interpretation.status,
            PreparedDocument.id,
        )
        .join(ConsultationConclusion, ConsultationConclusion.consultation_id == Consultation.id)
        .outerjoin(DecidedDocument, DecidedDocument.consultation_id == Consultation.id)
        .outerjoin(Interpretation, _published_version)
        .outerjoin(PreparedDocument, _document_in_review)
        .where(Consultation.department_id.in_(ids), ConsultationConclusion.outcome == Outcome.DECIDED)
    ).all()
    today = periods.local_date(now or utcnow())
    items = []
    for consultation, conclusion, document_id, status, in_review in rows:
        interpretation_missing = status is not InterpretationStatus.PUBLISHED
        if document_id is not None and not interpretation_missing:
            continue
        due = due_date(conclusion)
        items.append(
            DueDecision(
                consultation,
                due,
                overdue=due < today,
                document_missing=document_id is None,
                interpretation_missing=interpretation_missing,
                provisional_years=provisional_years(conclusion, due),
                document_in_review=in_review is not None,
            )
        )
    return sorted(items, key=lambda item: item.due)
