"""This package's place in the portal: the 问卷调查 column with its filters, and every public survey in the site map."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from core import integrity
from core.db import utcnow
from core.extensions import db
from core.i18n import local_datetime
from core.models import Department
from core.portal import Column, SitemapEntry, register_column, register_sitemap
from surveys.models import Phase, ReviewStatus, Survey


def _year(survey: Survey) -> int:
    return int(local_datetime(survey.starts_at, "yyyy"))


def listing() -> dict[str, Any]:
    """The public surveys by phase, filtered by ?department=, ?state= (open, closed) and ?year=, and the choices."""
    surveys = db.session.scalars(
        db.select(Survey).where(Survey.status == ReviewStatus.APPROVED).order_by(Survey.ends_at.desc())
    ).all()
    surveys = integrity.servable("survey", surveys)  # one whose text is not as approved is left out, and alerted
    years = sorted({_year(survey) for survey in surveys}, reverse=True)
    department_id = request.args.get("department", type=int)
    year = request.args.get("year", type=int)
    state = request.args.get("state") or None
    now = utcnow()
    by_phase: dict[Phase, list[Survey]] = {phase: [] for phase in Phase}
    for survey in surveys:
        phase = survey.phase(now)
        if (department_id and survey.department_id != department_id) or (year and _year(survey) != year):
            continue
        if (state == "open" and phase is Phase.CLOSED) or (state == "closed" and phase is not Phase.CLOSED):
            continue
        by_phase[phase].append(survey)
    departments = db.session.scalars(
        db.select(Department).where(Department.is_active.is_(True)).order_by(Department.name)
    ).all()
    departments = integrity.servable("department", departments)  # a defaced name is never offered as a filter
    filters = {"department_id": department_id, "year": year, "state": state}
    return {"by_phase": by_phase, "Phase": Phase, "departments": departments, "years": years, "filters": filters}


def _sitemap() -> list[SitemapEntry]:
    """Every approved survey, and its public results when published."""
    entries = []
    query = db.select(Survey).where(Survey.status == ReviewStatus.APPROVED).order_by(Survey.starts_at.desc())
    for survey in integrity.servable("survey", db.session.scalars(query)):  # a defaced title is never listed
        values = {"survey_id": survey.id}
        entries.append(SitemapEntry(_l("Surveys"), survey.title, "surveys.take", values, survey.updated_at))
        if survey.results_published:
            entries.append(SitemapEntry(_l("Survey results"), survey.title, "surveys.public_results", values))
    return entries


def init_app(app: Flask) -> None:
    register_column(app, Column("surveys.index", _l("Surveys"), order=40))
    register_sitemap(app, _sitemap)
