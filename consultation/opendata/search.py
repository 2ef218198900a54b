"""What the site search finds of this package: published consultations, and their published feedback.

Only what the public pages show is searched: the notice's title, 征集说明, 起草说明, 政策解读 and draft units of
consultations past the 保密审查; the main changes and the answers (reason and change) of published feedback.
A consultation is also found by its document type (行政规范性文件) and its department's name (住建局 through the
synonym list). Comments themselves are never searched, so neither a commenter's name nor a phone number in a
comment finds anything. The same texts of the same public items are in the search index (core/search_index.py),
which narrows each term before LIKE checks it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, false, or_, select

from consultation import labels
from consultation.drafting.periods import DOCUMENT_TYPES
from consultation.handling.feedback import PUBLISHED_STATUSES
from consultation.handling.models import ConsultationFeedback
from consultation.models import Comment, Consultation, ConsultationStatus, DraftUnitRow, Validity
from core import integrity, search_index
from core.db import utcnow
from core.extensions import db
from core.i18n import current_language
from core.search import MAX_CANDIDATES, Document, Field, Provider, department_labels, register_search_provider
from core.search_index import IndexedKind, Watch
from core.search_query import Criteria, Term

_UNPUBLISHED = [status for status in ConsultationStatus if not status.is_published]
_NOTICE_TEXTS = (
    ("intro", Consultation.intro, _l("About this consultation")),
    ("explanation", Consultation.explanation, _l("Drafting explanation")),
    ("interpretation", Consultation.interpretation, _l("Policy interpretation")),
)
_DOC_TYPE_NAMES = {code: (kind.label_zh, kind.label_en) for code, kind in DOCUMENT_TYPES.items()}


def doc_types() -> list[tuple[str, Any]]:
    return [(code, labels.document_type_label(code)) for code in DOCUMENT_TYPES]


def _status_badge(consultation: Consultation) -> tuple[object, str, str]:
    """(badge, badge class, phase): open / upcoming / closed while the notice runs; later statuses after."""
    if consultation.status is ConsultationStatus.SCHEDULED:
        phase = consultation.phase(utcnow()) or "closed"
        return labels.PHASE_LABELS[phase], phase, phase
    return labels.STATUS_LABELS[consultation.status], "closed", "closed"


def _facets(criteria: Criteria, term: Term, departments: dict[int, tuple[str, str]]) -> list[Any]:
    """The term as a document type or a department: consultations of that type or department have it."""
    found: list[Any] = []
    if codes := criteria.labelled(term, _DOC_TYPE_NAMES):
        found.append(Consultation.doc_type.in_(codes))
    if ids := criteria.labelled(term, departments):
        found.append(Consultation.department_id.in_(ids))
    return found


def _filtered(criteria: Criteria, date_column: Any) -> list[Any]:
    """The filters as SQL (the phase is checked on the documents, since it depends on the clock)."""
    filters, conditions = criteria.filters, []
    if filters.doc_type:
        conditions.append(Consultation.doc_type == filters.doc_type)
    if filters.department_id:
        conditions.append(Consultation.department_id == filters.department_id)
    if bounds := filters.year_bounds():
        conditions.extend([date_column >= bounds[0], date_column < bounds[1]])
    return conditions


def find_consultations(criteria: Criteria) -> list[Document]:
    """Published consultations containing every term in the notice's texts, a draft unit, the type or department."""
    if criteria.filters.phase == "feedback":
        return []
    departments = department_labels()

    def has(term: Term) -> object:
        in_draft = exists().where(
            DraftUnitRow.consultation_id == Consultation.id,
            criteria.contains(term, DraftUnitRow.title, DraftUnitRow.text),
        )
        texts = criteria.contains(term, Consultation.title, *(column for _, column, _ in _NOTICE_TEXTS))
        indexed = criteria.indexed(term, "consultation", Consultation.id)
        return or_(and_(indexed, or_(texts, in_draft)), *_facets(criteria, term, departments))

    found = db.session.scalars(
        db.select(Consultation)
        .where(Consultation.status.not_in(_UNPUBLISHED), *_filtered(criteria, Consultation.start_at))
        .where(*(has(term) for term in criteria))
        .order_by(Consultation.start_at.desc(), Consultation.id.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    found = integrity.servable("consultation", found, whole=True)  # snippets quote the draft: verify all of it
    units: dict[int, list[DraftUnitRow]] = defaultdict(list)
    if found and len(criteria):
        # Only the units that match (for the snippet and ranking), not every article of every draft found.
        unit_match = or_(*(criteria.contains(term, DraftUnitRow.title, DraftUnitRow.text) for term in criteria))
        for unit in db.session.scalars(
            db.select(DraftUnitRow)
            .where(DraftUnitRow.consultation_id.in_([c.id for c in found]), unit_match)
            .order_by(DraftUnitRow.consultation_id, DraftUnitRow.position)
        ):
            units[unit.consultation_id].append(unit)
    return [_consultation_document(consultation, units[consultation.id]) for consultation in found]


def _common(consultation: Consultation) -> dict[str, Any]:
    names = (
        *_DOC_TYPE_NAMES.get(consultation.doc_type, ()),
        consultation.department.name,
        consultation.department.name_en,
    )
    return {
        "keywords": " ".join(names),
        "title": consultation.title,
        "department": consultation.department.display_name(current_language()),
        "department_id": consultation.department_id,
        "doc_type": consultation.doc_type,
        "doc_type_label": labels.document_type_label(consultation.doc_type),
    }


def _consultation_document(consultation: Consultation, units: list[DraftUnitRow]) -> Document:
    url = url_for("consultation.detail", consultation_id=consultation.id)
    notice = [Field(name, getattr(consultation, name) or "", label) for name, _, label in _NOTICE_TEXTS]
    draft = [
        Field("draft", " ".join(part for part in (unit.title, unit.text) if part), unit.label, f"{url}#unit-{unit.key}")
        for unit in units
    ]
    status, status_class, phase = _status_badge(consultation)
    return Document(
        kind="consultation",
        url=url,
        fields=(notice[0], *draft, *notice[1:]),
        status=status,
        status_class=status_class,
        date=consultation.start_at,
        phase=phase,
        **_common(consultation),
    )


def _answered(criteria: Criteria | None = None, term: Term | None = None) -> object:
    """Answers as the feedback page shows them: of valid comments, answered; matching `term` if given."""
    conditions = [Comment.consultation_id == Consultation.id, Comment.validity == Validity.VALID]
    conditions.append(Comment.adoption.is_not(None))
    if criteria is not None and term is not None:
        conditions.append(criteria.contains(term, Comment.answer_reason, Comment.answer_change))
    return and_(*conditions)


def find_feedback(criteria: Criteria) -> list[Document]:
    """Published feedback containing every term in the title, the main changes, the answers, type or department."""
    if criteria.filters.phase not in ("", "feedback"):
        return []
    departments = department_labels()

    def has(term: Term) -> object:
        texts = criteria.contains(term, Consultation.title, ConsultationFeedback.main_changes)
        indexed = criteria.indexed(term, "feedback", Consultation.id)
        return or_(
            and_(indexed, or_(texts, exists().where(_answered(criteria, term)))), *_facets(criteria, term, departments)
        )

    found = db.session.execute(
        db.select(Consultation, ConsultationFeedback)
        .join(ConsultationFeedback, ConsultationFeedback.consultation_id == Consultation.id)
        .where(Consultation.status.in_(PUBLISHED_STATUSES), ConsultationFeedback.published_at.is_not(None))
        .where(*_filtered(criteria, ConsultationFeedback.published_at), *(has(term) for term in criteria))
        .order_by(ConsultationFeedback.published_at.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    # Snippets quote the answers: the whole feedback is verified, not only its title.
    found = integrity.servable("consultation.feedback", found, lambda row: row[0].id, whole=True)
    answers = _matching_answers(criteria, [consultation.id for consultation, _ in found])
    return [_feedback_document(consultation, record, answers[consultation.id]) for consultation, record in found]


def _matching_answers(criteria: Criteria, consultation_ids: list[int]) -> dict[int, list[str]]:
    """The published answers of these consultations that contain a term (for the snippet and ranking)."""
    answers: dict[int, list[str]] = defaultdict(list)
    if not consultation_ids or not len(criteria):
        return answers
    any_term = or_(false(), *(criteria.contains(t, Comment.answer_reason, Comment.answer_change) for t in criteria))
    rows = db.session.execute(
        db.select(Comment.consultation_id, Comment.answer_reason, Comment.answer_change)
        .join(Consultation, Consultation.id == Comment.consultation_id)
        .where(Consultation.id.in_(consultation_ids), _answered(), any_term)
        .distinct()
    )
    for consultation_id, reason, change in rows:
        answers[consultation_id].append(" ".join(part for part in (reason, change) if part))
    return answers


def _feedback_document(consultation: Consultation, record: ConsultationFeedback, answers: list[str]) -> Document:
    url = url_for("consultation.feedback", consultation_id=consultation.id)
    changes = Field("main_changes", record.main_changes, _l("Main changes to the draft"), f"{url}#fb-changes")
    answered = [Field("answers", text, _l("Comments and answers"), f"{url}#fb-table") for text in answers]
    return Document(
        kind="feedback",
        url=url,
        fields=(changes, *answered),
        status=labels.STATUS_LABELS[consultation.status],
        status_class="",
        date=record.published_at,
        phase="feedback",
        **_common(consultation),
    )


# ------------------------------------------------------------------------------------------------ the search index


def _consultation_texts(ids: list[int]) -> dict[int, list[str]]:
    """The searched texts of those of these consultations that are published: notice and draft units."""
    notice = [Consultation.title, *(column for _, column, _ in _NOTICE_TEXTS)]
    rows = db.session.execute(
        select(Consultation.id, *notice).where(Consultation.id.in_(ids), Consultation.status.not_in(_UNPUBLISHED))
    ).all()
    texts = {row[0]: [text or "" for text in row[1:]] for row in rows}
    units = db.session.execute(
        select(DraftUnitRow.consultation_id, DraftUnitRow.title, DraftUnitRow.text)
        .where(DraftUnitRow.consultation_id.in_(list(texts)))
        .order_by(DraftUnitRow.consultation_id, DraftUnitRow.position)
    )
    for consultation_id, title, text in units:
        texts[consultation_id].extend((title or "", text or ""))
    return texts


def _feedback_texts(ids: list[int]) -> dict[int, list[str]]:
    """The searched texts of those of these consultations whose feedback is published: main changes, answers."""
    rows = db.session.execute(
        select(Consultation.id, Consultation.title, ConsultationFeedback.main_changes)
        .join(ConsultationFeedback, ConsultationFeedback.consultation_id == Consultation.id)
        .where(Consultation.id.in_(ids), Consultation.status.in_(PUBLISHED_STATUSES))
        .where(ConsultationFeedback.published_at.is_not(None))
    ).all()
    texts = {row[0]: [row[1], row[2] or ""] for row in rows}
    answers = db.session.execute(
        select(Comment.consultation_id, Comment.answer_reason, Comment.answer_change)
        .where(Comment.consultation_id.in_(list(texts)), Comment.validity == Validity.VALID)
        .where(Comment.adoption.is_not(None))
    )
    for consultation_id, reason, change in answers:
        texts[consultation_id].extend((reason or "", change or ""))
    return texts


_NOTICE_CHANGES = ("title", "status", *(name for name, _, _ in _NOTICE_TEXTS))
_ANSWER_CHANGES = ("validity", "adoption", "answer_reason", "answer_change")


def init_app(app: Flask) -> None:
    search_index.register_indexed_kind(
        app,
        IndexedKind(
            "consultation",
            Consultation.id,
            _consultation_texts,
            (Watch(Consultation, "id", _NOTICE_CHANGES), Watch(DraftUnitRow, "consultation_id", ("title", "text"))),
        ),
    )
    search_index.register_indexed_kind(
        app,
        IndexedKind(
            "feedback",
            ConsultationFeedback.consultation_id,
            _feedback_texts,
            (
                Watch(Consultation, "id", ("title", "status")),
                Watch(ConsultationFeedback, "consultation_id"),
                Watch(Comment, "consultation_id", _ANSWER_CHANGES),
            ),
        ),
    )
    register_search_provider(
        app, Provider("consultation", _l("Consultation"), find_consultations, order=10, doc_types=doc_types)
    )
    register_search_provider(app, Provider("feedback", _l("Feedback"), find_feedback, order=20, doc_types=doc_types))
