"""The rules of a consultation's life: editing, the draft, review and publication, extension, new rounds.

Services flush, never commit; the view commits once. A refused step raises WorkflowError with problem codes
that the views turn into translated messages (see consultation/messages.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam

from consultation.drafting import periods
from consultation.drafting.split import DraftUnit
from consultation.drafting.uploads import StoredFile, remove
from consultation.models import (
    Consultation,
    ConsultationAttachment,
    ConsultationExtension,
    ConsultationStatus,
    DraftUnitRow,
    SecrecyResult,
)
from core import audit, integrity
from core.db import utcnow
from core.extensions import db
from core.holidays import load_workday_calendar
from core.models import Department, User

# The fields an editor fills in on the consultation form; each change is named in the audit record.
EDITABLE_FIELDS = (
    "title",
    "doc_type",
    "contact_phone",
    "contact_email",
    "contact_address",
    "intro",
    "explanation",
    "interpretation",
    "channels",
    "start_at",
    "end_at",
    "shortening_reason",
    "comment_display",
)


class WorkflowError(Exception):
    """A refused step; `problems` are codes such as "explanation_missing" or "below_minimum"."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(", ".join(problems))
        self.problems = list(problems)


def check_period(consultation: Consultation) -> periods.PeriodCheck | None:
    """The period verdict for the consultation's dates, or None while a date is missing."""
    if consultation.start_at is None or consultation.end_at is None:
        return None
    return periods.check_period(
        consultation.document_type,
        consultation.start_at,
        consultation.end_at,
        load_workday_calendar(),
        consultation.shortening_reason,
    )


def _require_editable(consultation: Consultation) -> None:
    if not consultation.status.is_editable:
        raise WorkflowError(["not_editable"])


def _period_problems(consultation: Consultation) -> list[str]:
    check = check_period(consultation)
    if check is None:
        return ["dates_missing"]
    return check.problems


def create_consultation(department: Department, editor: User, fields: dict[str, Any]) -> Consultation:
    """A new draft of `department`, prepared by `editor`; its period must already be acceptable."""
    consultation = Consultation(department=department, created_by_id=editor.id, **fields)
    problems = _period_problems(consultation)
    if problems and problems != ["dates_missing"]:
        raise WorkflowError(problems)
    db.session.add(consultation)
    audit.record("consultation.create", consultation, detail={"title": consultation.title}, actor=editor)
    return consultation


def update_consultation(consultation: Consultation, editor: User, fields: dict[str, Any]) -> list[str]:
    """Apply the form's fields to a draft; returns the names of the fields that changed."""
    _require_editable(consultation)
    before = {name: getattr(consultation, name) for name in fields}
    for name, value in fields.items():
        setattr(consultation, name, value)
    problems = _period_problems(consultation)
    if problems and problems != ["dates_missing"]:
        for name, value in before.items():
            setattr(consultation, name, value)
        raise WorkflowError(problems)
    changed = [name for name in fields if before[name] != fields[name]]
    if changed:
        audit.record("consultation.edit", consultation, detail={"fields": changed}, actor=editor)
    return changed


def unit_rows(units: Iterable[DraftUnit]) -> list[DraftUnitRow]:
    """A split draft as the rows a consultation stores, in draft order (not attached to any consultation yet)."""
    return [
        DraftUnitRow(
            key=unit.key,
            kind=unit.kind,
            number=unit.number,
            title=unit.title,
            text=unit.text,
            parent_key=unit.parent,
            position=position,
        )
        for position, unit in enumerate(units)
    ]


def replace_units(consultation: Consultation, units: Iterable[DraftUnit], editor: User) -> int:
    """Store the corrected split as the consultation's draft, replacing the previous one."""
    _require_editable(consultation)
    rows = unit_rows(units)
    if len({row.key for row in rows}) != len(rows):
        raise WorkflowError(["duplicate_unit_key"])
    consultation.units.clear()
    db.session.flush()  # the old rows go before the new ones reuse their (consultation, key) pairs
    consultation.units.extend(rows)
    audit.record("consultation.draft_saved", consultation, detail={"units": len(rows)}, actor=editor)
    return len(rows)


def publication_problems(consultation: Consultation) -> list[str]:
    """What stops this consultation from going out for comment (empty when nothing does)."""
    problems = []
    if not consultation.explanation.strip():
        problems.append("explanation_missing")
    if not consultation.units:
        problems.append("draft_missing")
    if not consultation.channels:
        problems.append("channels_missing")
    if not (consultation.contact_phone.strip() or consultation.department.office_phone.strip()):
        problems.append("contact_phone_missing")
    problems.extend(_period_problems(consultation))
    return problems


def submit_for_review(consultation: Consultation, editor: User) -> None:
    _require_editable(consultation)
    problems = publication_problems(consultation)
    if problems:
        raise WorkflowError(problems)
    consultation.status = ConsultationStatus.IN_REVIEW
    consultation.submitted_by_id = editor.id
    audit.record("consultation.submit", consultation, actor=editor)


def _require_independent_approver(consultation: Consultation, approver: User) -> None:
    if consultation.status is not ConsultationStatus.IN_REVIEW:
        raise WorkflowError(["not_in_review"])
    # The 保密审查 is a second pair of eyes: never the person who prepared or submitted the item.
    if approver.id in (consultation.created_by_id, consultation.submitted_by_id):
        raise WorkflowError(["same_person"])


def _record_secrecy_review(
    consultation: Consultation, approver: User, result: SecrecyResult, note: str, now: datetime
) -> None:
    consultation.secrecy_result = result
    consultation.secrecy_note = note
    consultation.secrecy_reviewer_id = approver.id
    consultation.secrecy_reviewed_at = now


def approve(
    consultation: Consultation, approver: User, result: SecrecyResult, note: str, now: datetime | None = None
) -> None:
    """Record a cleared 保密审查 and publish: the notice then opens and closes by itself."""
    now = now or utcnow()
    _require_independent_approver(consultation, approver)
    if result is not SecrecyResult.CLEARED:
        raise WorkflowError(["secrecy_not_cleared"])
    problems = publication_problems(consultation)
    if consultation.start_at is not None and consultation.start_at < now:
        problems.append("start_in_past")
    if problems:
        raise WorkflowError(problems)
    _record_secrecy_review(consultation, approver, result, note, now)
    consultation.status = ConsultationStatus.SCHEDULED
    consultation.return_reason = ""
    audit.record(
        "consultation.approve", consultation, detail={"secrecy_result": result.value, "note": note}, actor=approver
    )
    integrity.seal("consultation", consultation, approver)
    integrity.seal("consultation.period", consultation, approver)


def return_to_editor(
    consultation: Consultation,
    approver: User,
    reason: str,
    result: SecrecyResult | None = None,
    note: str = "",
    now: datetime | None = None,
) -> None:
    _require_independent_approver(consultation, approver)
    if not reason.strip():
        raise WorkflowError(["reason_required"])
    if result is not None:
        _record_secrecy_review(consultation, approver, result, note, now or utcnow())
    consultation.status = ConsultationStatus.RETURNED
    consultation.return_reason = reason
    audit.record("consultation.return", consultation, detail={"reason": reason}, actor=approver)


def extend(
    consultation: Consultation, user: User, new_end: datetime, reason: str, now: datetime | None = None
) -> ConsultationExtension:
    """Move the end of a published, not yet closed consultation later, with a logged reason."""
    now = now or utcnow()
    if consultation.end_at is None or consultation.phase(now) not in ("upcoming", "open"):
        raise WorkflowError(["not_open"])
    problems = periods.check_extension(consultation.end_at, new_end, reason)
    if problems:
        raise WorkflowError(problems)
    extension = ConsultationExtension(
        old_end=consultation.end_at, new_end=new_end, reason=reason.strip(), by_id=user.id, at=now
    )
    consultation.extensions.append(extension)
    consultation.end_at = new_end
    audit.record(
        "consultation.extend",
        consultation,
        detail={"old_end": extension.old_end.isoformat(), "new_end": new_end.isoformat(), "reason": reason},
        actor=user,
    )
    integrity.seal("consultation.period", consultation, user, reason="extend")
    return extension


def add_attachment(consultation: Consultation, user: User, stored: StoredFile) -> ConsultationAttachment:
    _require_editable(consultation)
    attachment = ConsultationAttachment(
        filename=stored.filename,
        stored_name=stored.stored_name,
        content_type=stored.content_type,
        size=stored.size,
        uploaded_by_id=user.id,
    )
    consultation.attachments.append(attachment)
    audit.record("consultation.attachment_add", consultation, detail={"filename": stored.filename}, actor=user)
    return attachment


def remove_attachment(attachment: ConsultationAttachment, user: User) -> None:
    consultation = attachment.consultation
    _require_editable(consultation)
    audit.record("consultation.attachment_remove", consultation, detail={"filename": attachment.filename}, actor=user)
    consultation.attachments.remove(attachment)
    remove(attachment.stored_name)


def start_new_round(previous: Consultation, editor: User, now: datetime | None = None) -> Consultation:
    """A new draft consultation for the next round, with the closed round's fields and draft copied."""
    if previous.phase(now or utcnow()) != "closed":
        raise WorkflowError(["not_closed"])
    fields = {name: getattr(previous, name) for name in EDITABLE_FIELDS}
    fields.update(start_at=None, end_at=None, shortening_reason="", channels=list(previous.channels))
    consultation = Consultation(
        department=previous.department,
        created_by_id=editor.id,
        round_number=previous.round_number + 1,
        previous_round_id=previous.id,
        **fields,
    )
    consultation.units = [
        DraftUnitRow(
            key=row.key,
            kind=row.kind,
            number=row.number,
            title=row.title,
            text=row.text,
            parent_key=row.parent_key,
            position=row.position,
        )
        for row in previous.units
    ]
    db.session.add(consultation)
    audit.record("consultation.new_round", consultation, detail={"previous_round_id": previous.id}, actor=editor)
    return consultation


# ------------------------------------------------------------------------------------------------ queries


# Every public page of a consultation starts here, every comment POST among them: built once. The department (the
# model's joined load) and the seal ledger's head come in the same query: both are needed to verify it.
_CONSULTATION_BY_ID = db.select(Consultation, integrity.head_column()).where(
    Consultation.id == bindparam("consultation_id")
)


def published_consultation(consultation_id: int) -> Consultation | None:
    """The consultation if the public may see it (past the 保密审查), else None; a 503 if it is not as sealed."""
    row = db.session.execute(_CONSULTATION_BY_ID, {"consultation_id": consultation_id}).one_or_none()
    if row is None:
        return None
    consultation, head = row
    integrity.note_head(head)
    if not consultation.status.is_published:
        return None
    integrity.require("consultation", consultation.id)
    return consultation


def published_in_phase(
    phase: periods.ConsultationPhase,
    now: datetime | None = None,
    department_id: int | None = None,
    doc_type: str | None = None,
) -> list[Consultation]:
    """Published consultations that are upcoming, open or closed at `now`, as the public lists show them."""
    now = now or utcnow()
    published = [status for status in ConsultationStatus if status.is_published]
    query = db.select(Consultation).where(Consultation.status.in_(published))
    if phase == "upcoming":
        query = query.where(Consultation.start_at > now).order_by(Consultation.start_at)
    elif phase == "open":
        query = query.where(Consultation.start_at <= now, Consultation.end_at >= now).order_by(Consultation.end_at)
    else:
        query = query.where(Consultation.end_at < now).order_by(Consultation.end_at.desc())
    if department_id:
        query = query.where(Consultation.department_id == department_id)
    if doc_type:
        query = query.where(Consultation.doc_type == doc_type)
    return integrity.servable("consultation", db.session.scalars(query))


def for_departments(department_ids: Iterable[int], statuses: Iterable[ConsultationStatus] = ()) -> list[Consultation]:
    query = db.select(Consultation).where(Consultation.department_id.in_(list(department_ids)))
    statuses = list(statuses)
    if statuses:
        query = query.where(Consultation.status.in_(statuses))
    return list(db.session.scalars(query.order_by(Consultation.updated_at.desc())))
