"""The OpenAPI description of the survey endpoints of the open-data API (api.py serves them).

The response bodies are typed models; the document's components are generated from them (core.api.component_schemas).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from core.api import (
    ERROR_RESPONSES,
    NOT_FOUND,
    PAGE_PARAMETERS,
    WHOLE_NUMBER,
    Url,
    component_schemas,
    ok,
    paged_schema,
    path_id,
    query_param,
    ref,
)
from surveys.models import Phase

PHASES = [Phase.SCHEDULED.value, Phase.OPEN.value, Phase.CLOSED.value]
_ID = path_id("survey_id", "The survey's number, as in its public address.")
SurveyPhase = Literal[*PHASES]  # type: ignore[valid-type]


class DepartmentName(BaseModel):
    id: int
    name: str
    name_en: str


class Survey(BaseModel):
    """An approved survey (调查问卷)."""

    id: int
    title: str
    purpose: str
    department: DepartmentName
    phase: SurveyPhase
    starts_at: datetime
    ends_at: datetime
    closed_early_at: datetime | None
    url: Url = Field(description="The page to answer it on.")
    results_url: Url | None = Field(description="Once results are public.")


class ResultCell(BaseModel):
    count: int | None = Field(description="null when withheld (a small count).")
    percent: float | None
    hidden: bool


class ResultRow(BaseModel):
    label: str
    cells: list[ResultCell]
    extra: list[str]


class ResultStat(BaseModel):
    label: str
    value: str


class QuestionResult(BaseModel):
    code: str
    text: str
    type: str
    answered: int
    header: list[str]
    rows: list[ResultRow]
    stats: list[ResultStat]


class SurveyResults(BaseModel):
    """The published results: counts of complete responses, small counts withheld, no free text."""

    survey: Survey
    respondents: int
    min_cell: int = Field(description="Counts from 1 to min_cell−1 are withheld.")
    questions: list[QuestionResult]


SCHEMAS: dict[str, Any] = component_schemas(Survey, SurveyResults)

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
