"""What the site search finds of the 政策解读: published interpretations of published consultations, by their title
and sections, type and department (consultation/decision/ writes them; this only reads their table)."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from consultation import labels
from consultation.decision.labels import SECTION_LABELS
from consultation.decision.models import Interpretation, InterpretationStatus
from consultation.drafting.periods import DOCUMENT_TYPES
from consultation.models import Consultation, ConsultationStatus
from core.extensions import db
from core.i18n import current_language
from core.search import MAX_CANDIDATES, Document, Field, department_labels
from core.search_query import Criteria, Term

_UNPUBLISHED = [status for status in ConsultationStatus if not status.is_published]
# Labelled as the 解读 page labels its sections.
_SECTIONS = tuple((name, getattr(Interpretation, name), SECTION_LABELS[name]) for name in SECTION_LABELS)
_DOC_TYPE_NAMES = {code: (kind.label_zh, kind.label_en) for code, kind in DOCUMENT_TYPES.items()}


def find_interpretations(criteria: Criteria) -> list[Document]:
    """Published 解读 containing every term in their title, a section, the type or the department's name."""
    filters = criteria.filters
    if "consultation_decision" not in current_app.blueprints or filters.phase not in ("", "feedback"):
        return []
    departments = department_labels()

    def has(term: Term) -> object:
        facets = []
        if codes := criteria.labelled(term, _DOC_TYPE_NAMES):
            facets.append(Consultation.doc_type.in_(codes))
        if ids := criteria.labelled(term, departments):
            facets.append(Consultation.department_id.in_(ids))
        columns = (Interpretation.title, Consultation.title, *(column for _, column, _ in _SECTIONS))
        return or_(criteria.contains(term, *columns), *facets)

    conditions = [Interpretation.status == InterpretationStatus.PUBLISHED, Interpretation.published_at.is_not(None)]
    conditions.append(Consultation.status.not_in(_UNPUBLISHED))
    if filters.doc_type:
        conditions.append(Consultation.doc_type == filters.doc_type)
    if filters.department_id:
        conditions.append(Consultation.department_id == filters.department_id)
    if bounds := filters.year_bounds():
        conditions.extend([Interpretation.published_at >= bounds[0], Interpretation.published_at < bounds[1]])
    found = db.session.execute(
        db.select(Interpretation, Consultation)
        .join(Consultation, Consultation.id == Interpretation.consultation_id)
        .where(*conditions, *(has(term) for term in criteria))
        .order_by(Interpretation.published_at.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    return [_document(record, consultation) for record, consultation in found]


def _document(record: Interpretation, consultation: Consultation) -> Document:
    url = url_for("consultation_decision.interpretation", consultation_id=consultation.id)
    department = consultation.department
    names = (*_DOC_TYPE_NAMES.get(consultation.doc_type, ()), department.name, department.name_en, consultation.title)
    return Document(
        kind="interpretation",
        title=record.title,
        url=url,
        fields=tuple(Field(name, getattr(record, name) or "", label) for name, _, label in _SECTIONS),
        status=_l("Published"),
        status_class="",
        department=department.display_name(current_language()),
        date=record.published_at,
        department_id=consultation.department_id,
        doc_type=consultation.doc_type,
        doc_type_label=labels.document_type_label(consultation.doc_type),
        phase="feedback",
        keywords=" ".join(names),
    )
