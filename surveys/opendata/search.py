"""What the site search finds of this package: approved surveys, by title, purpose or department (never a draft in
review). The title and purpose of approved surveys are in the search index (core/search_index.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import and_, or_, select

from core import integrity, search_index
from core.db import utcnow
from core.extensions import db
from core.i18n import current_language
from core.search import MAX_CANDIDATES, Document, Field, Provider, department_labels, register_search_provider
from core.search_index import IndexedKind, Watch
from core.search_query import Criteria, Term
from surveys.models import Phase, ReviewStatus, Survey

_BADGES = {
    Phase.OPEN: (lazy_pgettext("survey phase", "Open"), "open", "open"),
    Phase.SCHEDULED: (_l("Upcoming"), "", "upcoming"),
    Phase.CLOSED: (_l("Closed"), "closed", "closed"),
}


def _filtered(criteria: Criteria) -> list[Any]:
    filters, conditions = criteria.filters, []
    if filters.department_id:
        conditions.append(Survey.department_id == filters.department_id)
    if bounds := filters.year_bounds():
        conditions.extend([Survey.starts_at >= bounds[0], Survey.starts_at < bounds[1]])
    return conditions


def find_surveys(criteria: Criteria) -> list[Document]:
    """Approved surveys containing every term in the title, the purpose or the department's name, newest first."""
    if criteria.filters.doc_type or criteria.filters.phase == "feedback":
        return []  # a survey has no document type and no feedback of its own
    departments = department_labels()

    def has(term: Term) -> object:
        ids = criteria.labelled(term, departments)
        by_department = [Survey.department_id.in_(ids)] if ids else []
        indexed = criteria.indexed(term, "survey", Survey.id)
        return or_(and_(indexed, criteria.contains(term, Survey.title, Survey.purpose)), *by_department)

    found = db.session.scalars(
        db.select(Survey)
        .where(Survey.status == ReviewStatus.APPROVED, *_filtered(criteria), *(has(term) for term in criteria))
        .order_by(Survey.starts_at.desc(), Survey.id.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    now = utcnow()
    return [_document(survey, now) for survey in integrity.servable("survey", found)]


def _document(survey: Survey, now: datetime) -> Document:
    status, status_class, phase = _BADGES.get(survey.phase(now), _BADGES[Phase.CLOSED])
    return Document(
        kind="survey",
        title=survey.title,
        url=url_for("surveys.take", survey_id=survey.id),
        fields=(Field("purpose", survey.purpose, _l("Purpose")),),
        status=status,
        status_class=status_class,
        department=survey.department.display_name(current_language()),
        date=survey.starts_at,
        department_id=survey.department_id,
        keywords=f"{survey.department.name} {survey.department.name_en}",
        phase=phase,
    )


def _texts(ids: list[int]) -> dict[int, list[str]]:
    """The searched texts of those of these surveys that are approved."""
    rows = db.session.execute(
        select(Survey.id, Survey.title, Survey.purpose).where(
            Survey.id.in_(ids), Survey.status == ReviewStatus.APPROVED
        )
    )
    return {survey_id: [title, purpose or ""] for survey_id, title, purpose in rows}


def init_app(app: Flask) -> None:
    register_search_provider(app, Provider("survey", _l("Survey"), find_surveys, order=30))
    watch = Watch(Survey, "id", ("title", "purpose", "status"))
    search_index.register_indexed_kind(app, IndexedKind("survey", Survey.id, _texts, (watch,)))
