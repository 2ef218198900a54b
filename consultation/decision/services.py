"""After the decision (docs/rules.md rule 9): the 解读 written, reviewed by a second person and published, each step
in the audit log (the decided document goes through the same review: documents.py). Once public, the 解读 is revised
in a new version that goes through the same review; the versions it replaces stay readable (revisions.py).

Services flush, never commit; the view commits once. A refused step raises WorkflowError with problem codes
(consultation/decision/labels.py says them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from consultation.decision import chain, revisions, sealing
from consultation.decision.models import (
    DecidedDocument,
    Interpretation,
    InterpretationFigure,
    InterpretationImage,
    InterpretationStatus,
    PreparedDocument,
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
    """The decided document as published (approved); the one prepared or reviewed is documents.prepared_of."""
    return db.session.get(DecidedDocument, consultation.id)


def interpretation_of(consultation: Consultation) -> Interpretation | None:
    """The 解读 staff work on: the published one, or the revision being written or reviewed after it."""
    return revisions.latest(consultation.id)


def require_decided(consultation: Consultation) -> ConsultationConclusion:
    conclusion = decided_conclusion(consultation)
    if conclusion is None:
        raise WorkflowError(["not_decided"])
    return conclusion


# ------------------------------------------------------------------------------------------- the 解读


def _editable(interpretation: Interpretation) -> None:
    if not interpretation.status.is_editable:
        raise WorkflowError(["interpretation_not_editable"])


def save_interpretation(consultation: Consultation, user: User, fields: dict[str, str]) -> Interpretation:
    """Create or edit the 解读's title and texts (a revision's note too) while it is a draft or returned."""
    require_decided(consultation)
    interpretation = interpretation_of(consultation)
    if interpretation is None:
        interpretation = Interpretation(consultation_id=consultation.id, title="", created_by_id=user.id)
        if not revisions.insert_unless_taken(interpretation):  # another editor's first save, at the same moment
            raise WorkflowError(["interpretation_started"])
        action = "consultation.interpretation_create"
    else:
        _editable(interpretation)
        action = "consultation.interpretation_edit"
    if not interpretation.is_revision:
        fields = {name: value for name, value in fields.items() if name != "revision_note"}
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


def submission_problems(interpretation: Interpretation, approving: bool = False) -> list[str]:
    """What stops the 解读 from going to review or out: every part written, and its policy submitted with it and
    published before it (a 解读 that does not link to its policy is a fault website inspections count)."""
    problems = [f"section_missing:{name}" for name in SECTIONS if not getattr(interpretation, name).strip()]
    if not interpretation.title.strip():
        problems.insert(0, "interpretation_title_missing")
    if db.session.get(DecidedDocument, interpretation.consultation_id) is None:
        # Both may go to the approver together; the document is approved first.
        if approving:
            problems.append("document_unpublished")
        elif not _document_in_review(interpretation):
            problems.append("document_missing")
    if interpretation.is_revision:  # the public page says what changed, and something must have
        if not interpretation.revision_note.strip():
            problems.append("revision_note_missing")
        if not revisions.changed_parts(interpretation, chain.published_interpretation(interpretation.consultation_id)):
            problems.append("revision_unchanged")
    return problems


def _document_in_review(interpretation: Interpretation) -> bool:
    return (
        db.session.scalar(
            db.select(PreparedDocument.id).where(
                PreparedDocument.consultation_id == interpretation.consultation_id,
                PreparedDocument.status == InterpretationStatus.IN_REVIEW,
            )
        )
        is not None
    )


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
    """Publish the 解读 after a second person read it; a revision replaces the published version, kept as an
    earlier one."""
    _require_independent_approver(interpretation, approver)
    problems = submission_problems(interpretation, approving=True)
    if problems:
        raise WorkflowError(problems)
    now = now or utcnow()
    detail: dict[str, Any] = {"note": note}
    if interpretation.is_revision:
        previous = chain.published_interpretation(interpretation.consultation_id)
        detail.update(version=interpretation.version, revision_note=interpretation.revision_note,
                      changed=revisions.changed_parts(interpretation, previous))  # fmt: skip
        if previous is not None:
            revisions.supersede(previous, approver, now)
        interpretation.revised_at = now
    else:
        interpretation.published_at = now
    interpretation.status = InterpretationStatus.PUBLISHED
    interpretation.reviewed_by_id, interpretation.reviewed_at = approver.id, now
    interpretation.return_reason = ""
    action = "revise" if interpretation.is_revision else "approve"
    audit.record(f"consultation.interpretation_{action}", _consultation(interpretation), detail=detail, actor=approver)
    integrity.seal(sealing.INTERPRETATION, interpretation.consultation_id, approver)


def start_revision(consultation: Consultation, editor: User) -> Interpretation:
    """A new version of the published 解读 to correct or update it; the published one stays public meanwhile."""
    require_decided(consultation)
    current = interpretation_of(consultation)
    if current is None or current.status is not InterpretationStatus.PUBLISHED:
        raise WorkflowError(["revision_needs_published" if current is None else "revision_in_progress"])
    revision = revisions.copy_of(current, editor)
    if revision is None:  # another editor started it at the same moment
        raise WorkflowError(["revision_in_progress"])
    db.session.flush()
    audit.record(
        "consultation.interpretation_revision_start", consultation, detail={"version": revision.version}, actor=editor
    )
    return revision


def discard_revision(interpretation: Interpretation, editor: User) -> None:
    """Drop a revision not yet published (written or returned); the published version is untouched."""
    if not interpretation.is_revision:
        raise WorkflowError(["not_a_revision"])
    _editable(interpretation)
    audit.record(
        "consultation.interpretation_revision_discard", _consultation(interpretation),
        detail={"version": interpretation.version}, actor=editor,
    )  # fmt: skip
    revisions.discard(interpretation)


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
