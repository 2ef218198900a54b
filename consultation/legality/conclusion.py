"""The end of a consultation's life cycle: decided (after a passed legality review), withdrawn, or superseded.

docs/rules.md §7.3: … → submitted for legality review → concluded (decided, withdrawn or superseded by a new round) →
archived. The drafting department records how it ended; the public page says so, with the issued document's
address when there is one, and `flask consultation archive` retires it a year after the feedback.
"""

from __future__ import annotations

from datetime import datetime

from consultation.drafting.services import WorkflowError
from consultation.legality.gate import review_of
from consultation.legality.models import ConsultationConclusion, Outcome, ReviewState
from consultation.models import Consultation, ConsultationStatus
from core import audit, integrity
from core.db import utcnow
from core.extensions import db
from core.models import User

_NOT_CONCLUDABLE = (ConsultationStatus.CONCLUDED, ConsultationStatus.ARCHIVED)


def conclusion_of(consultation: Consultation) -> ConsultationConclusion | None:
    return db.session.get(ConsultationConclusion, consultation.id)


def public_conclusion(consultation: Consultation) -> ConsultationConclusion | None:
    """The outcome as recorded, for a public page: a 503 (and an alert) when it was changed or written by hand."""
    conclusion = conclusion_of(consultation)
    if conclusion is not None:
        integrity.require("consultation.conclusion", consultation.id)
    return conclusion


def next_round_published(consultation: Consultation) -> bool:
    return any(
        later.status.is_published
        for later in db.session.scalars(
            db.select(Consultation).where(Consultation.previous_round_id == consultation.id)
        )
    )


def may_conclude(consultation: Consultation) -> bool:
    """Whether the consultation is at a stage where an outcome can be recorded at all."""
    return consultation.status.is_published and consultation.status not in _NOT_CONCLUDABLE


def conclusion_problems(consultation: Consultation, outcome: Outcome, note: str) -> list[str]:
    """Every reason the outcome cannot be recorded now (empty when it can)."""
    if not may_conclude(consultation):
        return ["not_concludable"]
    problems = []
    if outcome is Outcome.DECIDED:
        review = review_of(consultation)
        if review is None or review.state is not ReviewState.PASSED:
            problems.append("legality_review_not_passed")
    if outcome is Outcome.SUPERSEDED and not next_round_published(consultation):
        problems.append("no_next_round")
    if not note.strip():
        problems.append("conclusion_note_missing")
    return problems


def conclude(
    consultation: Consultation, outcome: Outcome, note: str, document_url: str, user: User, now: datetime | None = None
) -> ConsultationConclusion:
    """Record the outcome and move the consultation to CONCLUDED (flushes; the caller commits)."""
    problems = conclusion_problems(consultation, outcome, note)
    if problems:
        raise WorkflowError(problems)
    conclusion = ConsultationConclusion(
        consultation_id=consultation.id,
        outcome=outcome,
        note=note.strip(),
        document_url=document_url.strip(),
        concluded_at=now or utcnow(),
        concluded_by_id=user.id,
    )
    db.session.add(conclusion)
    previous_status = consultation.status
    consultation.status = ConsultationStatus.CONCLUDED
    audit.record(
        "consultation.conclude",
        consultation,
        detail={"outcome": outcome.value, "from": previous_status.value, "document_url": conclusion.document_url},
        actor=user,
    )
    db.session.flush()
    integrity.seal("consultation.conclusion", consultation, user)  # the public page says how it ended
    return conclusion
