"""Answering a survey asks the database a fixed number of times, however many questions it has.

Budgets, each statement named (a PostgreSQL round trip each; bench/survey_responses.py measures the cost):
- a new browser's first page, from the page cache: none, as for a blank comment form;
- that page rendered afresh: 5, the survey's row (its department and the seal ledger's head come in the same
  query) and its sealed text verified, read in four queries (survey, pages, questions, options) whatever the
  number of questions;
- the last page's POST: 6, the row, the browser's dedup token and draft (none), and three inserts (the dedup
  token, the response, all its answers in one multi-row INSERT).
On 2026-11-26 these were 1 and 6; by 2026-12-05 they had grown to 26 and 31 (the seal verified from the ORM one
question at a time, on every request, the page cache notwithstanding).
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from core import page_cache
from core.extensions import db
from core.integrity import check
from surveys.models import Question, QuestionType, Response
from tests.conftest import make_app
from tests.sql_statements import counted
from tests.surveys.helpers import make_survey

OPTIONS = ["公交", "地铁", "自行车", "步行"]
QUESTIONS = [
    ("mode", QuestionType.SINGLE, {"options": OPTIONS, "required": True}),
    ("also", QuestionType.MULTIPLE, {"options": OPTIONS}),
    ("often", QuestionType.DROPDOWN, {"options": OPTIONS}),
    ("rate", QuestionType.SCALE, {}),
    ("why", QuestionType.SHORT_TEXT, {}),
    ("more", QuestionType.LONG_TEXT, {}),
    ("age", QuestionType.NUMBER, {}),
    ("when", QuestionType.DATE, {}),
]
ANSWERS = {"rate": "4", "why": "方便", "more": "无", "age": "35", "when": "2025-06-01"}


def _answers(survey_id: int) -> list[tuple[str, str]]:
    """A valid answer to every question: the choices by their option codes."""
    questions = db.session.scalars(db.select(Question).where(Question.survey_id == survey_id)).all()
    chosen = [(q.code, q.options[0].code) for q in questions if q.options]
    chosen += [("also", q.options[1].code) for q in questions if q.code == "also"]
    return chosen + list(ANSWERS.items())


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture(params=["sealed", "unsealed"])
def survey_id(app: Flask, request: pytest.FixtureRequest) -> int:
    """An open survey of every common kind of question; sealed as on a site that ran `integrity seal-all`, or not."""
    survey = make_survey([QUESTIONS])
    if request.param == "sealed":
        check.seal_all()
    db.session.commit()
    return survey.id


def _respond(app: Flask, survey_id: int) -> tuple[list[str], list[str]]:
    """A new browser answers the survey: the statements of its GET and of its POST."""
    path, browser = f"/surveys/{survey_id}", app.test_client()
    page, on_get = counted(app, lambda: browser.get(path))
    assert page.status_code == 200
    form = [("submission_key", _field(page.text, "submission_key")), ("page_index", "0"), ("action", "submit")]
    done, on_post = counted(app, lambda: browser.post(path, data=MultiDict(form + _answers(survey_id))))
    assert done.status_code == 200 and "flash-success" in done.text
    return on_get, on_post


def test_a_new_browser_answering_costs_no_statement_for_the_page_and_six_for_the_post(
    app: Flask, test_config: dict, survey_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_cache, "clock", lambda: 1000.0)
    cached = make_app(test_config, PUBLIC_PAGE_CACHE_SECONDS=30)
    _respond(cached, survey_id)  # page cached, structure and verdicts remembered: a worker that has served a while
    on_get, on_post = _respond(cached, survey_id)
    assert on_get == []
    assert len(on_post) <= 6, "\n".join(on_post)
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 2


def test_a_page_rendered_afresh_verifies_the_whole_survey_in_five_statements(app: Flask, survey_id: int) -> None:
    path = f"/surveys/{survey_id}"
    app.test_client().get(path)  # the structure and the verdict remembered, as in a worker that has served a while
    page, on_get = counted(app, lambda: app.test_client().get(path))  # no page cache in tests: rendered afresh
    assert page.status_code == 200 and len(on_get) <= 5, "\n".join(on_get)
