"""After the decision (docs/rules.md rule 9): the decided document published, its 解读 written, reviewed by a
second person and published, each step in the audit log.

Services flush, never commit; the view commits once. A refused step raises WorkflowError with problem codes
(consultation/decision/labels.py says them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consultation.decision import sealing
from consultation.decision.models import (
    DecidedDocument,
    Interpretation,
    InterpretationFigure,
    InterpretationImage,
    InterpretationStatus,
)
from consultation.drafting import uploads
from consultation.drafting.services import WorkflowError
from consultation.legality.models import ConsultationConclusion, Outcome
from consultation.models import Consultation
from core import audit, integrity
from core.db import utcnow
from core.extensions import db
from core.models import User

# The four parts every 解读 explains (the seed notice's 一.3: background, goals, measures, what changed and why).
SECTIONS = ("background", "goals", "key_measures", "changes")


def decided_conclusion(consultation: Consultation) -> ConsultationConclusion | None:
    """The recorded conclusion when the consultation was decided (not withdrawn or superseded)."""
    conclusion = db.session.get(ConsultationConclusion, consultation.id)
    return conclusion if conclusion is not None and conclusion.outcome is Outcome.DECIDED else None


def document_of(consultation: Consultation) -> DecidedDocument | None:
    return db.session.get(DecidedDocument, consultation.id)


def interpretation_of(consultation: Consultation) -> Interpretation | None:
    return db.session.scalar(db.select(Interpretation).where(Interpretation.consultation_id == consultation.id))


def _require_decided(consultation: Consultation) -> ConsultationConclusion:
    conclusion = decided_conclusion(consultation)
    if conclusion is None:
        raise WorkflowError(["not_decided"])
    return conclusion


# ------------------------------------------------------------------------------------------- decided document


@dataclass(frozen=True)
class DocumentInput:
    title: str
    number: str = ""
    url: str = ""
    stored: uploads.StoredFile | None = None


def record_document(consultation: Consultation, user: User, given: DocumentInput) -> DecidedDocument:
    """Publish (or correct) the decided document: an uploaded file, a link to where it is published, or both."""
    _require_decided(consultation)
    problems = []
    if not given.title.strip():
        problems.append("document_title_missing")
    document = document_of(consultation)
    keeps_file = document is not None and document.is_file
    if not (given.url.strip() or given.stored or keeps_file):
        problems.append("document_source_missing")
    if problems:
        raise WorkflowError(problems)
    replaced = document is not None
    if document is None:
        document = DecidedDocument(consultation_id=consultation.id, title="")
        db.session.add(document)
    if given.stored is not None:
        if document.stored_name:
            uploads.remove(document.stored_name)
        document.filename, document.stored_name = given.stored.filename, given.stored.stored_name
        document.content_type, document.size = given.stored.content_type, given.stored.size
    document.title, document.number, document.url = given.title.strip(), given.number.strip(), given.url.strip()
    document.published_at, document.published_by_id = utcnow(), user.id
    detail = {"title": document.title, "number": document.number, "url": document.url, "file": document.filename}
    action = "consultation.decided_document_replace" if replaced else "consultation.decided_document_publish"
    audit.record(action, consultation, detail=detail, actor=user)
    integrity.seal(sealing.DOCUMENT, consultation.id, user)  # published at once: it was issued already
    return document


# ------------------------------------------------------------------------------------------- the 解读


def _editable(interpretation: Interpretation) -> None:
    if not interpretation.status.is_editable:
        raise WorkflowError(["interpretation_not_editable"])


def save_interpretation(consultation: Consultation, user: User, fields: dict[str, str]) -> Interpretation:
    """Create or edit the 解读's title and texts while it is a draft or returned."""
    _require_decided(consultation)
    interpretation = interpretation_of(consultation)
    if interpretation is None:
        interpretation = Interpretation(consultation_id=consultation.id, title="", created_by_id=user.id)
        db.session.add(interpretation)
        action = "consultation.interpretation_create"
    else:
        _editable(interpretation)
        action = "consultation.interpretation_edit"
    changed = [name for name, value in fields.items() if getattr(interpretation, name) != value]
    for name, value in fields.items():
        setattr(interpretation, name, value)
    audit.record(action, consultation, detail={"fields": changed}, actor=user)
    db.session.flush()
    return interpretation


def save_figure(
    interpretation: Interpretation, user: User, values: dict[str, Any], figure: InterpretationFigure | None = None
) -> InterpretationFigure:
    """Add a figure (a small table drawn as a chart) or change one."""
    _editable(interpretation)
    if figure is None:
        figure = InterpretationFigure(position=len(interpretation.figures))
        interpretation.figures.append(figure)
    for name, value in values.items():
        setattr(figure, name, value)
    interpretation.updated_at = utcnow()
    audit.record(
        "consultation.interpretation_figure_save",
        _consultation(interpretation),
        detail={"title": figure.title, "rows": len(figure.rows)},
        actor=user,
    )
    db.session.flush()
    return figure


def remove_figure(figure: InterpretationFigure, user: User) -> None:
    interpretation = figure.interpretation
    _editable(interpretation)
    audit.record(
        "consultation.interpretation_figure_remove", _consultation(interpretation), detail={"title": figure.title},
        actor=user,
    )  # fmt: skip
    interpretation.figures.remove(figure)
    for position, other in enumerate(interpretation.figures):
        other.position = position


def add_image(
    interpretation: Interpretation, user: User, stored: uploads.StoredFile, alt: str, caption: str
) -> InterpretationImage:
    """A picture for the 解读; only JPEG and PNG (a PDF or Word file is refused and not kept)."""
    if not stored.content_type.startswith("image/"):
        uploads.remove(stored.stored_name)
        raise WorkflowError(["image_type"])
    _editable(interpretation)
    image = InterpretationImage(
        filename=stored.filename,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        alt=alt.strip(),
        caption=caption.strip(),
        uploaded_by_id=user.id,
    )
    interpretation.images.append(image)
    audit.record(
        "consultation.interpretation_image_add", _consultation(interpretation), detail={"filename": stored.filename},
        actor=user,
    )  # fmt: skip
    db.session.flush()
    return image


def remove_image(image: InterpretationImage, user: User) -> None:
    interpretation = image.interpretation
    _editable(interpretation)
    audit.record(
        "consultation.interpretation_image_remove", _consultation(interpretation), detail={"filename": image.filename},
        actor=user,
    )  # fmt: skip
    interpretation.images.remove(image)
    uploads.remove(image.stored_name)


def _consultation(interpretation: Interpretation) -> Consultation:
    consultation = db.session.get(Consultation, interpretation.consultation_id)
    assert consultation is not None
    return consultation


# ------------------------------------------------------------------------------------------- four eyes


def submission_problems(interpretation: Interpretation) -> list[str]:
    """What stops the 解读 from going to review or out: every part written, and its policy published first
    (a 解读 that does not link to its policy is a fault website inspections count)."""
    problems = [f"section_missing:{name}" for name in SECTIONS if not getattr(interpretation, name).strip()]
    if not interpretation.title.strip():
        problems.insert(0, "interpretation_title_missing")
    if db.session.get(DecidedDocument, interpretation.consultation_id) is None:
        problems.append("document_missing")
    return problems


def submit(interpretation: Interpretation, user: User) -> None:
    _editable(interpretation)
    problems = submission_problems(interpretation)
    if problems:
        raise WorkflowError(problems)
    interpretation.status = InterpretationStatus.IN_REVIEW
    interpretation.submitted_by_id = user.id
    audit.record("consultation.interpretation_submit", _consultation(interpretation), actor=user)


def is_author(user: Any, interpretation: Interpretation) -> bool:
    return getattr(user, "id", None) in (interpretation.created_by_id, interpretation.submitted_by_id)


def _require_independent_approver(interpretation: Interpretation, approver: User) -> None:
    if interpretation.status is not InterpretationStatus.IN_REVIEW:
        raise WorkflowError(["not_in_review"])
    # Four eyes: never the person who wrote or submitted it.
    if is_author(approver, interpretation):
        raise WorkflowError(["same_person"])


def approve(interpretation: Interpretation, approver: User, note: str = "", now: datetime | None = None) -> None:
    """Publish the 解读 after a second person read it."""
    _require_independent_approver(interpretation, approver)
    problems = submission_problems(interpretation)
    if problems:
        raise WorkflowError(problems)
    now = now or utcnow()
    interpretation.status = InterpretationStatus.PUBLISHED
    interpretation.reviewed_by_id, interpretation.reviewed_at = approver.id, now
    interpretation.published_at, interpretation.return_reason = now, ""
    audit.record(
        "consultation.interpretation_approve", _consultation(interpretation), detail={"note": note}, actor=approver
    )
    integrity.seal(sealing.INTERPRETATION, interpretation.consultation_id, approver)


def return_to_author(interpretation: Interpretation, approver: User, reason: str, now: datetime | None = None) -> None:
    _require_independent_approver(interpretation, approver)
    if not reason.strip():
        raise WorkflowError(["reason_required"])
    interpretation.status = InterpretationStatus.RETURNED
    interpretation.return_reason = reason.strip()
    interpretation.reviewed_by_id, interpretation.reviewed_at = approver.id, now or utcnow()
    audit.record(
        "consultation.interpretation_return", _consultation(interpretation), detail={"reason": reason}, actor=approver
    )


def waiting_for_review(department_ids: set[int], user: Any) -> list[tuple[Consultation, Interpretation]]:
    """解读 submitted in these departments that this user may review (did not write or submit)."""
    if not department_ids:
        return []
    rows = db.session.execute(
        db.select(Consultation, Interpretation)
        .join(Interpretation, Interpretation.consultation_id == Consultation.id)
        .where(
            Consultation.department_id.in_(department_ids),
            Interpretation.status == InterpretationStatus.IN_REVIEW,
        )
        .order_by(Interpretation.updated_at)
    ).all()
    return [(c, i) for c, i in rows if not is_author(user, i)]
