"""The legality-review gate (docs/rules.md §2, hard rule 6) and the reviewer's steps.

A draft goes to the justice bureau for 合法性审查 only after a completed consultation — it ran at least its
minimum period and has closed, the notice stated how and by when to comment, the 起草说明 was published, every
valid comment is answered, every non-adopted concentrated opinion has a reason and the feedback is published —
or with a recorded exemption and its legal basis. A refusal lists every reason. The reviewer marks the packet
received, returns it with reasons (back to the department) or passes it; each step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consultation.drafting import services
from consultation.drafting.services import WorkflowError
from consultation.handling import addenda, feedback, procedures
from consultation.handling.models import ConsultationFeedback
from consultation.legality import labels as review_labels
from consultation.legality.models import ConsultationExemption, ExemptionBasis, LegalityReview, ReviewState
from consultation.models import Channel, Consultation, ConsultationStatus
from core import audit
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from core.models import User

CHECKS = (
    "period_completed",
    "notice_method_deadline",
    "explanation_published",
    "comments_answered",
    "concentrated_reasons",
    "feedback_published",
    "late_comments_answered",
)
# Statuses from which a draft can no longer be (re)submitted.
_CLOSED_STATUSES = (ConsultationStatus.SUBMITTED_FOR_REVIEW, ConsultationStatus.CONCLUDED, ConsultationStatus.ARCHIVED)


@dataclass(frozen=True)
class CheckItem:
    code: str
    ok: bool
    count: int = 0  # what is missing, where a number says it (unanswered comments …)
    # Years counted with weekends only because their holiday calendar is missing: the verdict may change.
    provisional_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class Checklist:
    items: list[CheckItem]
    exemption: ConsultationExemption | None
    # The statutory procedures for the document type (713号 第二十六条): shown, with those still missing flagged;
    # the reviewer, not the gate, decides whether a packet without them goes back.
    procedures: list[procedures.ProcedureLine] = field(default_factory=list)
    # Hearings recorded without a public announcement early enough (rules.md §1.1 第十七条): flagged for the
    # reviewer, who decides, like the procedures.
    hearing_flags: list[procedures.HearingFlag] = field(default_factory=list)

    @property
    def missing_procedures(self) -> list[procedures.ProcedureLine]:
        return [line for line in self.procedures if line.missing]

    @property
    def complete(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def passes(self) -> bool:
        """The gate opens for a completed consultation, or for an exempted one."""
        return self.complete or self.exemption is not None

    def as_dict(self) -> dict[str, bool]:
        return {item.code: item.ok for item in self.items}


def _period_ran(consultation: Consultation, now: datetime) -> CheckItem:
    """Closed, and the period was at least the minimum (or lawfully shorter, its reason in the notice)."""
    check = services.check_period(consultation)
    ran = consultation.phase(now) == "closed" and check is not None and check.ok
    return CheckItem("period_completed", ran, provisional_years=check.provisional_years if check else ())


def _notice_stated_method_and_deadline(consultation: Consultation) -> bool:
    channels = set(consultation.channels or [])
    if not channels or consultation.end_at is None or not consultation.status.is_published:
        return False
    # Each announced channel needs the address it works through.
    if Channel.EMAIL.value in channels and not consultation.contact_email.strip():
        return False
    return not (Channel.LETTER.value in channels and not consultation.contact_address.strip())


def checklist(consultation: Consultation, now: datetime | None = None) -> Checklist:
    """Each condition of the gate, met or not, from the live data."""
    now = now or utcnow()
    stats = feedback.statistics(consultation)
    record = db.session.get(ConsultationFeedback, consultation.id)
    published = (
        consultation.status in feedback.PUBLISHED_STATUSES and record is not None and record.published_at is not None
    )
    lacking = feedback.concentrated_without_reason(consultation)
    late = addenda.late_comments(consultation)
    unanswered = stats.unanswered + stats.pending
    items = [
        _period_ran(consultation, now),
        CheckItem("notice_method_deadline", _notice_stated_method_and_deadline(consultation)),
        CheckItem("explanation_published", consultation.status.is_published and bool(consultation.explanation.strip())),
        CheckItem("comments_answered", unanswered == 0, unanswered),
        CheckItem("concentrated_reasons", lacking == 0, lacking),
        CheckItem("feedback_published", published),
        # A letter registered after the feedback was published stays here until an addendum answers it publicly.
        CheckItem("late_comments_answered", not late, len(late)),
    ]
    exemption = db.session.get(ConsultationExemption, consultation.id)
    lines = procedures.procedure_lines(consultation)
    return Checklist(items, exemption, lines, procedures.hearing_flags(consultation, lines))


def review_of(consultation: Consultation) -> LegalityReview | None:
    return db.session.get(LegalityReview, consultation.id)


def legality_overview(consultation: Consultation) -> dict[str, Any]:
    """What the consultation's staff page shows of this stage: the live checklist and the review's state."""
    return {"checklist": checklist(consultation), "review": review_of(consultation), "labels": review_labels}


# ------------------------------------------------------------------------------------------------ department


def record_exemption(consultation: Consultation, basis: ExemptionBasis, note: str, user: User) -> ConsultationExemption:
    """Record (or replace) the exemption from public consultation; the note says why the basis applies."""
    if consultation.status in _CLOSED_STATUSES:
        raise WorkflowError(["legality_already_submitted"])
    if not note.strip():
        raise WorkflowError(["exemption_note_required"])
    exemption = db.session.get(ConsultationExemption, consultation.id)
    if exemption is None:
        exemption = ConsultationExemption(consultation_id=consultation.id)
        db.session.add(exemption)
    exemption.basis, exemption.note = basis, note.strip()
    exemption.recorded_by_id, exemption.recorded_at = user.id, utcnow()
    audit.record(
        "consultation.exemption_record", consultation, detail={"basis": basis.value, "note": note.strip()}, actor=user
    )
    return exemption


def withdraw_exemption(consultation: Consultation, user: User) -> None:
    exemption = db.session.get(ConsultationExemption, consultation.id)
    if exemption is None or consultation.status in _CLOSED_STATUSES:
        raise WorkflowError(["exemption_missing" if exemption is None else "legality_already_submitted"])
    audit.record("consultation.exemption_withdraw", consultation, detail={"basis": exemption.basis.value}, actor=user)
    db.session.delete(exemption)


def submit(consultation: Consultation, user: User, now: datetime | None = None) -> LegalityReview:
    """Send the draft for legality review; refused with every unmet condition unless an exemption is recorded."""
    if consultation.status in _CLOSED_STATUSES:
        raise WorkflowError(["legality_already_submitted"])
    now = now or utcnow()
    result = checklist(consultation, now)
    if not result.passes:
        raise WorkflowError([f"gate_{item.code}" + (f":{item.count}" if item.count else "")
                             for item in result.items if not item.ok])  # fmt: skip
    review = review_of(consultation)
    if review is None:
        review = LegalityReview(consultation_id=consultation.id)
        db.session.add(review)
    review.state, review.status_before = ReviewState.SUBMITTED, consultation.status
    review.checklist, review.exempted = result.as_dict(), not result.complete
    review.submitted_at, review.submitted_by_id = now, user.id
    review.received_at = review.received_by_id = review.decided_at = review.decided_by_id = None
    review.return_reasons = ""
    consultation.status = ConsultationStatus.SUBMITTED_FOR_REVIEW
    detail = {"checklist": result.as_dict(), "exempted": review.exempted}
    if result.exemption is not None and review.exempted:
        detail["exemption"] = {"basis": result.exemption.basis.value, "note": result.exemption.note}
    audit.record("consultation.legality_submit", consultation, detail=detail, actor=user)
    return review


# ------------------------------------------------------------------------------------------------ reviewer


def _pending_review(consultation: Consultation, *states: ReviewState) -> LegalityReview:
    review = review_of(consultation)
    if (
        consultation.status is not ConsultationStatus.SUBMITTED_FOR_REVIEW
        or review is None
        or review.state not in states
    ):
        raise WorkflowError(["legality_not_pending"])
    return review


def mark_received(consultation: Consultation, reviewer: User, now: datetime | None = None) -> None:
    review = _pending_review(consultation, ReviewState.SUBMITTED)
    review.state, review.received_at, review.received_by_id = ReviewState.RECEIVED, now or utcnow(), reviewer.id
    audit.record("consultation.legality_received", consultation, actor=reviewer)


def return_to_department(consultation: Consultation, reviewer: User, reasons: str, now: datetime | None = None) -> None:
    """Send the packet back: the consultation returns to the status it had, the reasons shown to the department."""
    review = _pending_review(consultation, ReviewState.SUBMITTED, ReviewState.RECEIVED)
    if not reasons.strip():
        raise WorkflowError(["reason_required"])
    review.state, review.return_reasons = ReviewState.RETURNED, reasons.strip()
    review.decided_at, review.decided_by_id = now or utcnow(), reviewer.id
    consultation.status = review.status_before
    audit.record("consultation.legality_returned", consultation, detail={"reasons": reasons.strip()}, actor=reviewer)


def mark_passed(consultation: Consultation, reviewer: User, note: str = "", now: datetime | None = None) -> None:
    review = _pending_review(consultation, ReviewState.SUBMITTED, ReviewState.RECEIVED)
    review.state, review.decided_at, review.decided_by_id = ReviewState.PASSED, now or utcnow(), reviewer.id
    audit.record("consultation.legality_passed", consultation, detail={"note": note.strip()}, actor=reviewer)


def submitted_for_review() -> list[tuple[Consultation, LegalityReview]]:
    """Drafts at the justice bureau: waiting ones first (oldest submission first), then those passed."""
    rows = db.session.execute(
        db.select(Consultation, LegalityReview)
        .join(LegalityReview, LegalityReview.consultation_id == Consultation.id)
        .where(Consultation.status == ConsultationStatus.SUBMITTED_FOR_REVIEW)
        .order_by(LegalityReview.submitted_at)
    ).all()
    pairs = [(consultation, review) for consultation, review in rows]
    return sorted(pairs, key=lambda pair: pair[1].state is ReviewState.PASSED)


def history(consultation: Consultation) -> list[AuditEvent]:
    """Every audited step of the consultation, oldest first: the record the history section shows."""
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.object_type == Consultation.__tablename__, AuditEvent.object_id == str(consultation.id))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
