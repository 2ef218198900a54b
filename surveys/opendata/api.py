"""Open data of the surveys (/api/v1/surveys): approved surveys, and their results once the department publishes them.

The results are those of the public results page (surveys/results/views.py): complete responses only, no written
answers, and every count from 1 to SURVEY_MIN_CELL−1 withheld (null), with a second one where needed so that it
cannot be worked out from the total. A survey not approved is unknown here (404).
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort

from core.api import (
    ERROR_RESPONSES,
    ID,
    NOT_FOUND,
    PAGE_PARAMETERS,
    TIME,
    WHOLE_NUMBER,
    api_blueprint,
    cached_json,
    choice_arg,
    int_arg,
    ok,
    paged_list,
    paged_schema,
    path_id,
    query_param,
    ref,
    timestamp,
)
from core.extensions import db
from core.links import site_url
from surveys.builder import services
from surveys.models import Phase, ReviewStatus, Survey
from surveys.results import data as result_data
from surveys.results.compute import QuestionResult, survey_results
from surveys.results.views import min_cell, public_results_available

PHASES = [Phase.SCHEDULED.value, Phase.OPEN.value, Phase.CLOSED.value]
_ID = path_id("survey_id", "The survey's number, as in its public address.")
_STRING, _INTEGER = {"type": "string"}, {"type": "integer"}

SCHEMAS: dict[str, Any] = {
    "Survey": {
        "type": "object",
        "description": "An approved survey (调查问卷).",
        "properties": {
            "id": _INTEGER,
            "title": _STRING,
            "purpose": _STRING,
            "department": {
                "type": "object",
                "properties": {"id": _INTEGER, "name": _STRING, "name_en": _STRING},
                "required": ["id", "name", "name_en"],
            },
            "phase": {"type": "string", "enum": PHASES},
            "starts_at": TIME,
            "ends_at": TIME,
            "closed_early_at": {"type": ["string", "null"], "format": "date-time"},
            "url": {"type": "string", "format": "uri", "description": "The page to answer it on."},
            "results_url": {"type": ["string", "null"], "format": "uri", "description": "Once results are public."},
        },
        "required": [
            "id",
            "title",
            "purpose",
            "department",
            "phase",
            "starts_at",
            "ends_at",
            "closed_early_at",
            "url",
            "results_url",
        ],
    },
    "ResultCell": {
        "type": "object",
        "properties": {
            "count": {"type": ["integer", "null"], "description": "null when withheld (a small count)."},
            "percent": {"type": ["number", "null"]},
            "hidden": {"type": "boolean"},
        },
        "required": ["count", "percent", "hidden"],
    },
    "QuestionResult": {
        "type": "object",
        "properties": {
            "code": _STRING,
            "text": _STRING,
            "type": _STRING,
            "answered": _INTEGER,
            "header": {"type": "array", "items": _STRING},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "label": _STRING,
                        "cells": {"type": "array", "items": ref("ResultCell")},
                        "extra": {"type": "array", "items": _STRING},
                    },
                    "required": ["label", "cells", "extra"],
                },
            },
            "stats": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"label": _STRING, "value": _STRING},
                    "required": ["label", "value"],
                },
            },
        },
        "required": ["code", "text", "type", "answered", "header", "rows", "stats"],
    },
    "SurveyResults": {
        "type": "object",
        "description": "The published results: counts of complete responses, small counts withheld, no free text.",
        "properties": {
            "survey": ref("Survey"),
            "respondents": _INTEGER,
            "min_cell": {"type": "integer", "description": "Counts from 1 to min_cell−1 are withheld."},
            "questions": {"type": "array", "items": ref("QuestionResult")},
        },
        "required": ["survey", "respondents", "min_cell", "questions"],
    },
}

PATHS: dict[str, Any] = {
    "/surveys": {
        "get": {
            "operationId": "listSurveys",
            "summary": "Approved surveys, latest ending first",
            "parameters": [
                query_param("phase", "Only those in this phase.", {"type": "string", "enum": PHASES}),
                query_param("department", "Only those of this department (its id).", WHOLE_NUMBER),
                *PAGE_PARAMETERS,
            ],
            "responses": {**ok("A page of surveys.", paged_schema("Survey")), **ERROR_RESPONSES},
        }
    },
    "/surveys/{survey_id}": {
        "get": {
            "operationId": "getSurvey",
            "summary": "An approved survey",
            "parameters": [_ID],
            "responses": {**ok("The survey.", ref("Survey")), **NOT_FOUND, **ERROR_RESPONSES},
        }
    },
    "/surveys/{survey_id}/results": {
        "get": {
            "operationId": "getSurveyResults",
            "summary": "A survey's published results (404 until they are published)",
            "parameters": [_ID],
            "responses": {**ok("The results.", ref("SurveyResults")), **NOT_FOUND, **ERROR_RESPONSES},
        }
    },
}

bp = api_blueprint("survey_api", __name__, paths=PATHS, schemas=SCHEMAS)


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
        "results_url": site_url("survey_public_results.public_results", survey_id=survey.id) if published else None,
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
