"""What the site search finds of this package: approved surveys, by title and purpose (never a draft in review)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from core.db import utcnow
from core.extensions import db
from core.i18n import current_language
from core.search import MAX_CANDIDATES, Document, Field, Provider, any_contains, register_search_provider
from surveys.models import Phase, ReviewStatus, Survey

_BADGES = {
    Phase.OPEN: (lazy_pgettext("survey phase", "Open"), "open"),
    Phase.SCHEDULED: (_l("Upcoming"), ""),
    Phase.CLOSED: (_l("Closed"), "closed"),
}


def find_surveys(terms: Sequence[str]) -> list[Document]:
    """Approved surveys containing every term in the title or the purpose, newest first."""
    found = db.session.scalars(
        db.select(Survey)
        .where(
            Survey.status == ReviewStatus.APPROVED,
            *(any_contains(term, Survey.title, Survey.purpose) for term in terms),
        )
        .order_by(Survey.starts_at.desc(), Survey.id.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    now = utcnow()
    return [_document(survey, now) for survey in found]


def _document(survey: Survey, now: datetime) -> Document:
    status, status_class = _BADGES.get(survey.phase(now), _BADGES[Phase.CLOSED])
    return Document(
        kind="survey",
        title=survey.title,
        url=url_for("surveys.take", survey_id=survey.id),
        fields=(Field("purpose", survey.purpose, _l("Purpose")),),
        status=status,
        status_class=status_class,
        department=survey.department.display_name(current_language()),
        date=survey.starts_at,
    )


def init_app(app: Flask) -> None:
    register_search_provider(app, Provider("survey", _l("Survey"), find_surveys, order=30))
