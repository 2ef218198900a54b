"""What of a survey is sealed when its review approves it (core/integrity): the text a respondent reads.

Title, purpose, contact phone, the closed message, anonymity, the personal fields asked, the link to its
consultation, and every page, question and option. Dates, the response cap and early closing follow their own
workflows: they are sealed beside it as its schedule (when it opens and closes, its response cap, whether its
results are public), verified wherever the survey is and sealed again when its results are published or withdrawn.
Early closing is left out: the response cap closes a survey by itself (and again if the mark is removed). Reopening
takes the survey off the public site until it is approved (and sealed) again.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.integrity import SealableKind, register_kind
from surveys.models import Question, ReviewStatus, Survey, SurveyPage

KIND = "survey"
SCHEDULE = "survey.schedule"


# Pages, questions and options in three queries, rather than one per page and one per question.
_STRUCTURE = selectinload(Survey.pages).selectinload(SurveyPage.questions).selectinload(Question.options)


def content(subject_id: str) -> dict[str, Any] | None:
    survey = db.session.scalar(db.select(Survey).where(Survey.id == int(subject_id)).options(_STRUCTURE))
    return _content_of(survey)


def _content_of(survey: Survey | None) -> dict[str, Any] | None:
    if survey is None or survey.status is not ReviewStatus.APPROVED:
        return None
    fields = ("title", "purpose", "contact_phone", "closed_message", "anonymous", "personal_fields", "consultation_id")
    result: dict[str, Any] = {name: getattr(survey, name) for name in fields}
    result["pages"] = [
        {
            "title": page.title,
            "questions": [
                (
                    q.code,
                    q.type,
                    q.text,
                    q.help,
                    q.required,
                    q.validation,
                    q.validation_message,
                    q.show_if,
                    q.settings,
                    [(option.code, option.label) for option in q.options],
                )
                for q in page.questions
            ],
        }
        for page in survey.pages
    ]
    return result


def schedule_content(subject_id: str) -> dict[str, Any] | None:
    survey = db.session.get(Survey, int(subject_id))
    if survey is None or survey.status is not ReviewStatus.APPROVED:
        return None
    fields = ("starts_at", "ends_at", "response_cap", "results_published")
    return {name: getattr(survey, name) for name in fields}


def contents(subject_ids: list[str]) -> dict[str, Any]:
    """The texts of a list page's surveys, their pages, questions and options loaded in four queries."""
    query = db.select(Survey).where(Survey.id.in_([int(subject_id) for subject_id in subject_ids])).options(_STRUCTURE)
    return {str(survey.id): _content_of(survey) for survey in db.session.scalars(query)}


def _summary(survey: Survey) -> dict[str, Any]:
    """What the list, the feed and the API's list show of a survey (fields of its whole seal too)."""
    return {"title": survey.title, "purpose": survey.purpose}


def _published() -> list[str]:
    query = db.select(Survey.id).where(Survey.status == ReviewStatus.APPROVED).order_by(Survey.id)
    return [str(row) for row in db.session.scalars(query)]


def _describe(subject_id: str) -> str:
    survey = db.session.get(Survey, int(subject_id))
    return survey.title if survey is not None else f"survey {subject_id}"


def _locate(subject_id: str) -> tuple[str, str]:
    survey = db.session.get(Survey, int(subject_id))
    return (survey.department.name if survey is not None else "", str(_l("Surveys")))


def _fix_url(subject_id: str) -> str:
    return url_for("surveys_manage.edit", survey_id=int(subject_id))


def init_app(app: Flask) -> None:
    register_kind(
        app,
        SealableKind(
            KIND, content, _published, _describe, _fix_url, contents, _locate,
            summary=_summary, list_item=lambda subject_id: db.session.get(Survey, int(subject_id)),
            depends=lambda survey: [("department", str(survey.department_id)), (SCHEDULE, str(survey.id))],
        ),
    )  # fmt: skip
    register_kind(
        app, SealableKind(SCHEDULE, schedule_content, _published, _describe, _fix_url, locate=_locate, since=2)
    )
