"""What of a consultation is sealed when it is approved or its feedback published (core/integrity).

The notice seals what residents read: title, type, department, contacts, 征集说明, 起草说明, 政策解读, channels,
the reason for a short period, the draft units and the attached files. Its period (start and end) is sealed beside
it as its own kind, verified wherever the notice is: an extension moves the end through its own audited workflow
and seals the period again, so a comment period lengthened in the database is refused like a defaced draft. The
status follows the workflow (an item published without any seal is caught as "unsealed"). The feedback seals the
main changes and the table of answers, with the name each row shows (sealed since generation 3), and the
concentrated opinions with every answer they quote (since generation 4).
"""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from consultation.handling import addenda, feedback
from consultation.handling.answer_sheet import public_name
from consultation.handling.models import ConsultationFeedback
from consultation.legality.models import ConsultationConclusion
from consultation.models import Consultation, ConsultationAttachment, ConsultationStatus, DraftUnitRow
from core.extensions import db
from core.integrity import SealableKind, register_kind

NOTICE = "consultation"
FEEDBACK = "consultation.feedback"
PERIOD = "consultation.period"
CONCLUSION = "consultation.conclusion"
DEPARTMENT = "department"  # its name and phones are shown on every page of its consultations


def _published(subject_id: str) -> Consultation | None:
    consultation = db.session.get(Consultation, int(subject_id))
    return consultation if consultation is not None and consultation.status.is_published else None


_FIELDS = ("title", "doc_type", "department_id", "contact_phone", "contact_email", "contact_address", "intro")
_FIELDS += ("explanation", "interpretation", "channels", "shortening_reason", "comment_display", "round_number")


def _notice(
    consultation: Consultation, units: list[DraftUnitRow], attachments: list[ConsultationAttachment]
) -> dict[str, Any]:
    content: dict[str, Any] = {name: getattr(consultation, name) for name in _FIELDS}
    content["units"] = [
        (row.key, row.kind, row.number, row.title, row.text, row.parent_key, row.position) for row in units
    ]
    content["attachments"] = [(row.filename, row.stored_name, row.size) for row in attachments]
    return content


def notice_content(subject_id: str) -> dict[str, Any] | None:
    consultation = _published(subject_id)
    if consultation is None:
        return None
    return _notice(consultation, list(consultation.units), list(consultation.attachments))


def notice_contents(subject_ids: list[str]) -> dict[str, Any]:
    """The notices of a list page or feed in three queries, whatever its length."""
    ids = [int(subject_id) for subject_id in subject_ids]
    consultations = db.session.scalars(db.select(Consultation).where(Consultation.id.in_(ids))).all()
    units: dict[int, list[DraftUnitRow]] = {consultation_id: [] for consultation_id in ids}
    for row in db.session.scalars(
        db.select(DraftUnitRow).where(DraftUnitRow.consultation_id.in_(ids)).order_by(DraftUnitRow.position)
    ):
        units[row.consultation_id].append(row)
    attachments: dict[int, list[ConsultationAttachment]] = {consultation_id: [] for consultation_id in ids}
    for row in db.session.scalars(
        db.select(ConsultationAttachment)
        .where(ConsultationAttachment.consultation_id.in_(ids))
        .order_by(ConsultationAttachment.id)
    ):
        attachments[row.consultation_id].append(row)
    return {
        str(c.id): _notice(c, units[c.id], attachments[c.id]) if c.status.is_published else None for c in consultations
    }


def period_content(subject_id: str) -> dict[str, Any] | None:
    """When comments are taken: what the notice, the lists and the comment form say, and what they enforce."""
    consultation = _published(subject_id)
    return None if consultation is None else {"start_at": consultation.start_at, "end_at": consultation.end_at}


def conclusion_content(subject_id: str) -> dict[str, Any] | None:
    """How it ended, as the notice and the decided document's page say it: outcome, note, the issued document's link."""
    consultation = _published(subject_id)
    conclusion = db.session.get(ConsultationConclusion, int(subject_id)) if consultation is not None else None
    if conclusion is None:
        return None
    return {name: getattr(conclusion, name) for name in ("outcome", "note", "document_url", "concluded_at")}


def _conclusion_ids() -> list[str]:
    query = db.select(ConsultationConclusion.consultation_id).join(
        Consultation, Consultation.id == ConsultationConclusion.consultation_id
    )
    published = [status for status in ConsultationStatus if status.is_published]
    return [
        str(row)
        for row in db.session.scalars(query.where(Consultation.status.in_(published)).order_by(Consultation.id))
    ]


def _opinions(consultation: Consultation) -> list[tuple[Any, ...]]:
    """The concentrated opinions as the page shows them: they quote the answers of grouped comments the table does
    not show (a cluster's other members), so those are sealed here."""
    return [
        (o.key, o.submitters, o.comments, o.sample, [list(answer) for answer in o.answers])
        for o in feedback.concentrated_opinions(consultation, as_published=True)
    ]


def feedback_content(subject_id: str, names: bool = True, opinions: bool = True) -> dict[str, Any] | None:
    """The feedback as published: main changes, each row of the table with the name it shows (an organisation's
    in full, a person's masked) and the concentrated opinions with their answers. `opinions=False` is the content
    as sealed before generation 4, `names=False` as before generation 3 (SealableKind.legacy, older)."""
    consultation = _published(subject_id)
    record = db.session.get(ConsultationFeedback, int(subject_id))
    if consultation is None or consultation.status not in feedback.PUBLISHED_STATUSES:
        return None
    if record is None or record.published_at is None:
        return None
    rows = [
        (
            c.id,
            c.unit_key,
            c.content,
            c.adoption,
            c.answer_reason,
            c.answer_change,
            *([public_name(c)] if names else []),
        )
        for c in db.session.scalars(feedback.table_query(consultation))
    ]
    content = {"main_changes": record.main_changes, "published_at": record.published_at, "rows": rows}
    concentrated = _opinions(consultation) if opinions else []
    if concentrated:  # absent when there are none, as sealed before they were
        content["opinions"] = concentrated
    published_addenda = addenda.public_addenda(consultation)
    if published_addenda:  # late letters answered publicly (handling/addenda); absent before any, as sealed then
        content["addenda"] = [
            (addendum.id, addendum.note, addendum.published_at, [astuple(row) for row in rows])
            for addendum, rows in published_addenda
        ]
    return content


def notice_files(subject_id: str) -> list[tuple[str, str]]:
    """The attached files, whose bytes are sealed with the notice (core/integrity/files.py)."""
    consultation = _published(subject_id)
    return [("uploads", row.stored_name) for row in consultation.attachments] if consultation is not None else []


def _published_ids() -> list[str]:
    published = [status for status in ConsultationStatus if status.is_published]
    query = db.select(Consultation.id).where(Consultation.status.in_(published)).order_by(Consultation.id)
    return [str(row) for row in db.session.scalars(query)]


def _feedback_ids() -> list[str]:
    query = (
        db.select(Consultation.id)
        .join(ConsultationFeedback, ConsultationFeedback.consultation_id == Consultation.id)
        .where(Consultation.status.in_(feedback.PUBLISHED_STATUSES), ConsultationFeedback.published_at.is_not(None))
    )
    return [str(row) for row in db.session.scalars(query.order_by(Consultation.id))]


def _describe(subject_id: str) -> str:
    consultation = db.session.get(Consultation, int(subject_id))
    return consultation.title if consultation is not None else f"consultation {subject_id}"


def _summary(consultation: Consultation) -> dict[str, Any]:
    """What lists, feeds and the API's list show of a notice (each a field of the whole notice's seal too)."""
    return {name: getattr(consultation, name) for name in ("title", "doc_type", "department_id", "round_number")}


def _feedback_summary(row: tuple[Consultation, ConsultationFeedback]) -> dict[str, Any]:
    return {"main_changes": row[1].main_changes, "published_at": row[1].published_at}


def _feedback_row(subject_id: str) -> tuple[Consultation, ConsultationFeedback] | None:
    consultation = db.session.get(Consultation, int(subject_id))
    record = db.session.get(ConsultationFeedback, int(subject_id))
    return (consultation, record) if consultation is not None and record is not None else None


def _notice_depends(consultation: Consultation) -> list[tuple[str, str]]:
    """Its department's name and phones, and its period: shown with the notice, verified with it."""
    return [(DEPARTMENT, str(consultation.department_id)), (PERIOD, str(consultation.id))]


def _locate(column: Any) -> Any:
    def locate(subject_id: str) -> tuple[str, str]:
        consultation = db.session.get(Consultation, int(subject_id))
        return (consultation.department.name if consultation is not None else "", str(column))

    return locate


def _fix_url(subject_id: str) -> str:
    return url_for("consultation_manage.detail", consultation_id=int(subject_id))


def init_app(app: Flask) -> None:
    notices = _locate(_l("Consultations"))
    register_kind(
        app,
        SealableKind(
            NOTICE, notice_content, _published_ids, _describe, _fix_url, notice_contents, notices,
            summary=_summary, list_item=lambda subject_id: db.session.get(Consultation, int(subject_id)),
            depends=_notice_depends, files=notice_files,
        ),
    )  # fmt: skip
    register_kind(
        app, SealableKind(PERIOD, period_content, _published_ids, _describe, _fix_url, locate=notices, since=2)
    )
    register_kind(
        app,
        SealableKind(CONCLUSION, conclusion_content, _conclusion_ids, _describe, _fix_url, locate=notices, since=2),
    )
    feedbacks = _locate(_l("Feedback"))
    register_kind(
        app,
        SealableKind(
            FEEDBACK, feedback_content, _feedback_ids, _describe, _fix_url, locate=feedbacks,
            summary=_feedback_summary, list_item=_feedback_row,
            legacy=lambda subject_id: feedback_content(subject_id, opinions=False), legacy_before=4,
            older=((3, lambda subject_id: feedback_content(subject_id, names=False, opinions=False)),),
            depends=lambda row: [(DEPARTMENT, str(row[0].department_id))],
        ),
    )  # fmt: skip
