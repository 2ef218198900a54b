"""The demo survey: every question type, a condition that holds for some respondents only, idempotent."""

from __future__ import annotations

from flask import Flask

from core import demo as core_demo
from core.extensions import db
from surveys import demo
from surveys.models import Answer, Phase, QuestionType, Response, Survey
from tests.factories import make_department


def test_demo_survey_is_open_uses_every_type_and_loads_once(app: Flask) -> None:
    make_department("gov-office")
    first = list(demo.load())
    second = list(demo.load())
    assert len(first) == 1 and second == []
    survey = db.session.scalar(db.select(Survey))
    assert survey.phase() is Phase.OPEN
    imported_only = {QuestionType.CALCULATE, QuestionType.REPEAT}  # from XLSForms, not offered in the builder
    assert {question.type for question in survey.questions} == set(QuestionType) - imported_only
    assert db.session.scalar(db.select(db.func.count(Response.id))) == demo.RESPONSES
    # The follow-up "why dissatisfied" is answered exactly by those who rated 1 or 2.
    overall = dict(
        db.session.execute(db.select(Answer.response_id, Answer.value).where(Answer.question_code == "overall")).all()
    )
    reasons = set(db.session.scalars(db.select(Answer.response_id).where(Answer.question_code == "reason")))
    assert reasons == {response for response, value in overall.items() if value <= 2}
    assert 0 < len(reasons) < demo.RESPONSES


def test_demo_loader_is_registered(app: Flask) -> None:
    assert demo.load in app.extensions["minyi_demo_loaders"]
    assert core_demo.register_demo_loader  # the loader runs with `flask demo load`
