"""Open data of the surveys (/api/v1/surveys): approved surveys, and their results once the department publishes them.

The results are those of the public results page (surveys/results/views.py): complete responses only, no written
answers, and every count from 1 to SURVEY_MIN_CELL−1 withheld (null), with a second one where needed so that it
cannot be worked out from the total. A survey not approved is unknown here (404).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort

from core import integrity
from core.api import (
    ID,
    api_blueprint,
    cached_json,
    choice_arg,
    int_arg,
    paged_list,
    timestamp,
)
from core.extensions import db
from core.links import site_url
from surveys.builder import services
from surveys.models import ReviewStatus, Survey
from surveys.opendata.api_spec import PATHS, PHASES, SCHEMAS
from surveys.permissions import public_results_available
from surveys.results import data as result_data
from surveys.results.compute import QuestionResult, min_cell, survey_results

bp = api_blueprint("surveys_api", __name__, paths=PATHS, schemas=SCHEMAS)


def _approved_or_404(survey_id: int) -> Survey:
    return services.approved_survey(survey_id) or abort(404)


def _survey(survey: Survey) -> dict[str, Any]:
    published = public_results_available(survey)
    return {
        "id": survey.id,
        "title": survey.title,
        "purpose": survey.purpose,
        "department": {
            "id": survey.department.id,
            "name": survey.department.name,
            "name_en": survey.department.name_en,
        },
        "phase": survey.phase().value,
        "starts_at": timestamp(survey.starts_at),
        "ends_at": timestamp(survey.ends_at),
        "closed_early_at": timestamp(survey.closed_early_at),
        "url": site_url("surveys.take", survey_id=survey.id),
        "results_url": site_url("surveys.public_results", survey_id=survey.id) if published else None,
    }


@bp.route("/surveys")
def surveys() -> Response:
    return cached_json("api-surveys", _survey_list)


def _survey_list() -> dict[str, Any]:
    phase, department_id = choice_arg("phase", PHASES), int_arg("department")
    query = db.select(Survey).where(Survey.status == ReviewStatus.APPROVED).order_by(Survey.ends_at.desc(), Survey.id)
    if department_id:
        query = query.where(Survey.department_id == department_id)
    # The phase follows the clock and early closing (Survey.phase), as on the public list.
    rows = [survey for survey in db.session.scalars(query) if phase is None or survey.phase().value == phase]
    rows = integrity.servable("survey", rows)
    return paged_list(rows, lambda page: [_survey(survey) for survey in page])


@bp.route(f"/surveys/<{ID}:survey_id>")
def survey(survey_id: int) -> Response:
    return cached_json("api-survey", lambda: _survey(_approved_or_404(survey_id)))


@bp.route(f"/surveys/<{ID}:survey_id>/results")
def results(survey_id: int) -> Response:
    return cached_json("api-survey-results", lambda: _results(survey_id))


def _question(result: QuestionResult) -> dict[str, Any]:
    return {
        "code": result.question.code,
        "text": result.question.text,
        "type": result.question.type.value,
        "answered": result.answered,
        "header": [str(text) for text in result.header],
        "rows": [
            {
                "label": str(row.label),
                # A withheld count is not sent at all, nor its share: only that it was withheld.
                "cells": [
                    {"count": None, "percent": None, "hidden": True}
                    if cell.hidden
                    else {"count": cell.count, "percent": cell.percent, "hidden": False}
                    for cell in row.cells
                ],
                "extra": [str(text) for text in row.extra],
            }
            for row in result.rows
        ],
        "stats": [{"label": str(label), "value": str(value)} for label, value in result.stats],
    }


def _results(survey_id: int) -> dict[str, Any]:
    survey = _approved_or_404(survey_id)
    if not public_results_available(survey):
        abort(404)
    # What the public results page computes (results_views.public_results): complete responses only.
    snapshot = result_data.load(survey)
    keep = snapshot.complete.copy()
    results = survey_results(survey, snapshot, keep, public=True, min_cell=min_cell())
    return {
        "survey": _survey(survey),
        "respondents": int(keep.sum()),
        "min_cell": min_cell(),
        "questions": [_question(result) for result in results],
    }
