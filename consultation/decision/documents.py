"""The decided document (docs/rules.md rule 9; nothing is published unreviewed): an editor prepares it (an uploaded
file, a link to where it is published, or both, with its title and 文号) and submits it; an approver of the
department who did not prepare or submit it approves it, which publishes and seals it, or returns it with the
reasons. A correction of the published document goes through the same steps and says what was corrected; while it
is prepared and reviewed the published version stays served unchanged, and once approved the version it replaced
stays readable with its file (revisions.py).

Services flush, never commit; the view commits once. A refused step raises WorkflowError with problem codes
(labels.py says them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update

from consultation.decision import revisions, sealing
from consultation.decision.models import DecidedDocument, InterpretationStatus, PreparedDocument
from consultation.decision.services import document_of, require_decided
from consultation.drafting import uploads
from consultation.drafting.services import WorkflowError
from consultation.models import Consultation
from core import audit, integrity
from core.db import utcnow
from core.extensions import db
from core.models import User

# What a version of the document is, for the public (sealing._FILE) and for the reviewer comparing versions.
_FIELDS = ("title", "number", "url", "filename", "stored_name", "content_type", "size")
# What the reviewer is told a correction changes.
CHANGED_FIELDS = ("title", "number", "url", "file")


@dataclass(frozen=True)
class DocumentInput:
    title: str
    number: str = ""
    url: str = ""
    stored: uploads.StoredFile | None = None
    revision_note: str = ""  # a correction: what was corrected, shown on the public page


def prepared_of(consultation: Consultation) -> PreparedDocument | None:
    """The version being prepared or reviewed (at most one: each takes the next version number)."""
    return db.session.scalar(
        db.select(PreparedDocument).where(
            PreparedDocument.consultation_id == consultation.id,
            PreparedDocument.status != InterpretationStatus.PUBLISHED,
        )
    )


def is_author(user: Any, prepared: PreparedDocument) -> bool:
    return getattr(user, "id", None) in (prepared.created_by_id, prepared.submitted_by_id)


def _new_version(consultation: Consultation, user: User) -> PreparedDocument:
    """The next version, starting from the published one's title, 文号, link and file; WorkflowError
    "document_started" when another editor started it at the same moment."""
    published = document_of(consultation)
    prepared = PreparedDocument(
        consultation_id=consultation.id, version=published.version + 1 if published else 1, created_by_id=user.id
    )
    for name in _FIELDS if published else ():
        setattr(prepared, name, getattr(published, name))
    if not revisions.insert_unless_taken(prepared):
        raise WorkflowError(["document_started"])
    return prepared


def _editable(prepared: PreparedDocument) -> None:
    if not prepared.status.is_editable:
        raise WorkflowError(["document_not_editable"])


def _remove_own_file(prepared: PreparedDocument) -> None:
    """The file uploaded for this version, unless it is the published one (a correction starts with it)."""
    published = db.session.get(DecidedDocument, prepared.consultation_id)
    if prepared.stored_name and (published is None or published.stored_name != prepared.stored_name):
        uploads.remove(prepared.stored_name)


def prepare(
    consultation: Consultation, user: User, given: DocumentInput, editing: int | None = None
) -> PreparedDocument:
    """Save the document an editor prepares (the first version, or the correction `editing` names); the form says
    which one it edits, so an editor whose page predates another's start is told rather than overwriting it."""
    require_decided(consultation)
    prepared = prepared_of(consultation)
    if (prepared.id if prepared else None) != editing:
        raise WorkflowError(["document_started" if prepared else "document_changed_meanwhile"])
    if prepared is not None:
        _editable(prepared)
    kept = prepared if prepared is not None else document_of(consultation)  # a correction starts with its file
    problems = [] if given.title.strip() else ["document_title_missing"]
    if not (given.url.strip() or given.stored or (kept is not None and kept.is_file)):
        problems.append("document_source_missing")
    if problems:
        raise WorkflowError(problems)
    if prepared is None:
        prepared = _new_version(consultation, user)
    if given.stored is not None:  # the file it replaces goes, unless it is the published one
        _remove_own_file(prepared)
        prepared.filename, prepared.stored_name = given.stored.filename, given.stored.stored_name
        prepared.content_type, prepared.size = given.stored.content_type, given.stored.size
    prepared.title, prepared.number, prepared.url = given.title.strip(), given.number.strip(), given.url.strip()
    if prepared.is_correction:
        prepared.revision_note = given.revision_note.strip()
    detail = {"version": prepared.version, "title": prepared.title, "number": prepared.number, "url": prepared.url,
              "file": prepared.filename}  # fmt: skip
    audit.record("consultation.decided_document_prepare", consultation, detail=detail, actor=user)
    db.session.flush()
    return prepared


def start_correction(consultation: Consultation, user: User) -> PreparedDocument:
    """A correction of the published document, prepared and reviewed while the published version stays served."""
    require_decided(consultation)
    if document_of(consultation) is None:
        raise WorkflowError(["correction_needs_published"])
    if prepared_of(consultation) is not None:
        raise WorkflowError(["document_started"])
    prepared = _new_version(consultation, user)
    audit.record("consultation.decided_document_correction_start", consultation,
                 detail={"version": prepared.version}, actor=user)  # fmt: skip
    db.session.flush()
    return prepared


def changed_fields(prepared: PreparedDocument) -> list[str]:
    """What a correction changes from the published document: title, number, url, file."""
    published = db.session.get(DecidedDocument, prepared.consultation_id)
    if published is None:
        return []
    changed = [name for name in ("title", "number", "url") if getattr(prepared, name) != getattr(published, name)]
    return [*changed, "file"] if prepared.stored_name != published.stored_name else changed


def submission_problems(prepared: PreparedDocument) -> list[str]:
    """What stops the document from going to review or out: a title, a file or a link; a correction says what
    it corrects, and corrects something."""
    problems = [] if prepared.title.strip() else ["document_title_missing"]
    if not (prepared.url.strip() or prepared.is_file):
        problems.append("document_source_missing")
    if prepared.is_correction:
        if not prepared.revision_note.strip():
            problems.append("revision_note_missing")
        if not changed_fields(prepared):
            problems.append("document_unchanged")
    return problems


def _consultation(prepared: PreparedDocument) -> Consultation:
    consultation = db.session.get(Consultation, prepared.consultation_id)
    assert consultation is not None
    return consultation


def submit(prepared: PreparedDocument, user: User) -> None:
    _editable(prepared)
    problems = submission_problems(prepared)
    if problems:
        raise WorkflowError(problems)
    prepared.status, prepared.submitted_by_id = InterpretationStatus.IN_REVIEW, user.id
    audit.record("consultation.decided_document_submit", _consultation(prepared),
                 detail={"version": prepared.version}, actor=user)  # fmt: skip


def _require_independent_approver(prepared: PreparedDocument, approver: User) -> None:
    if prepared.status is not InterpretationStatus.IN_REVIEW:
        raise WorkflowError(["document_not_in_review"])
    if is_author(approver, prepared):  # four eyes: never the person who prepared or submitted it
        raise WorkflowError(["same_person"])


def _take_for_review(prepared: PreparedDocument, status: InterpretationStatus) -> None:
    """Move it out of review once: a second approver deciding at the same moment finds it decided (PostgreSQL
    makes them wait for each other's commit) instead of publishing it twice."""
    taken = db.session.execute(
        update(PreparedDocument)
        .where(PreparedDocument.id == prepared.id, PreparedDocument.status == InterpretationStatus.IN_REVIEW)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise WorkflowError(["document_not_in_review"])
    prepared.status = status


def approve(prepared: PreparedDocument, approver: User, note: str = "", now: datetime | None = None) -> DecidedDocument:
    """Publish what the editor prepared after a second person read it, and seal it; a correction replaces the
    published version, kept as an earlier one with its file."""
    _require_independent_approver(prepared, approver)
    problems = submission_problems(prepared)
    if problems:
        raise WorkflowError(problems)
    changed = changed_fields(prepared)
    _take_for_review(prepared, InterpretationStatus.PUBLISHED)
    now = now or utcnow()
    document = db.session.get(DecidedDocument, prepared.consultation_id)
    replaced = document is not None
    if document is None:
        document = DecidedDocument(consultation_id=prepared.consultation_id, title="", published_at=now)
        db.session.add(document)
    else:
        revisions.keep_document_version(document, approver, now)
        document.revised_at, document.revision_note = now, prepared.revision_note
    for name in _FIELDS:
        setattr(document, name, getattr(prepared, name))
    document.version, document.published_by_id = prepared.version, approver.id
    prepared.reviewed_by_id, prepared.reviewed_at, prepared.return_reason = approver.id, now, ""
    detail = {"title": document.title, "number": document.number, "url": document.url, "file": document.filename,
              "prepared_by": prepared.created_by_id, "note": note}  # fmt: skip
    if replaced:
        detail.update(version=document.version, revision_note=document.revision_note, changed=changed)
    action = "consultation.decided_document_replace" if replaced else "consultation.decided_document_publish"
    audit.record(action, _consultation(prepared), detail=detail, actor=approver)
    db.session.flush()
    integrity.seal(sealing.DOCUMENT, prepared.consultation_id, approver)
    return document


def return_to_author(prepared: PreparedDocument, approver: User, reason: str, now: datetime | None = None) -> None:
    _require_independent_approver(prepared, approver)
    if not reason.strip():
        raise WorkflowError(["reason_required"])
    _take_for_review(prepared, InterpretationStatus.RETURNED)
    prepared.return_reason = reason.strip()
    prepared.reviewed_by_id, prepared.reviewed_at = approver.id, now or utcnow()
    audit.record("consultation.decided_document_return", _consultation(prepared),
                 detail={"version": prepared.version, "reason": prepared.return_reason}, actor=approver)  # fmt: skip


def discard(prepared: PreparedDocument, user: User) -> None:
    """Drop a version not yet published (prepared or returned), with the file uploaded for it; the published
    version is untouched."""
    _editable(prepared)
    audit.record("consultation.decided_document_discard", _consultation(prepared),
                 detail={"version": prepared.version}, actor=user)  # fmt: skip
    _remove_own_file(prepared)
    db.session.delete(prepared)
    db.session.flush()


def waiting_for_review(department_ids: set[int], user: Any) -> list[tuple[Consultation, PreparedDocument]]:
    """Documents submitted in these departments that this user may review (did not prepare or submit)."""
    if not department_ids:
        return []
    rows = db.session.execute(
        db.select(Consultation, PreparedDocument)
        .join(PreparedDocument, PreparedDocument.consultation_id == Consultation.id)
        .where(
            Consultation.department_id.in_(department_ids),
            PreparedDocument.status == InterpretationStatus.IN_REVIEW,
        )
        .order_by(PreparedDocument.updated_at)
    ).all()
    return [(c, p) for c, p in rows if not is_author(user, p)]
