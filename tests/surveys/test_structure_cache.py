"""The per-process copy of a survey's questions that the answering pages use: same content, never stale."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from core.extensions import db
from surveys.builder import options, review, services
from surveys.models import QuestionType, Survey
from surveys.taking import structure
from tests.factories import make_user
from tests.surveys.helpers import make_survey, question_data

T = QuestionType


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    structure.clear_cache()
    yield
    structure.clear_cache()


@pytest.fixture
def english(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _survey() -> Survey:
    survey = make_survey(
        [
            [("street", T.SINGLE, {"options": ["新屯街道", "搭连街道"], "text": "您住在哪个街道？"})],
            [("age", T.NUMBER, {"settings": {"min_value": 0, "max_value": 120}, "text": "您的年龄？"})],
        ]
    )
    db.session.commit()
    return survey


def _statements_during(call: Any) -> int:
    count = [0]

    def counter(*_args: Any) -> None:
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return count[0]


def _edit_approved(survey: Survey, new_text: str, new_option: str) -> None:
    """What staff do to change a published survey: reopen, edit, submit, and approve again."""
    editor = survey.created_by
    review.reopen(survey, editor)
    question = survey.questions[0]
    services.save_question(survey, question.page, question, question_data("street", T.SINGLE, text=new_text))
    options.add_options(question, new_option)
    review.submit(survey, editor)
    review.approve(survey, make_user("approver", survey.department))
    db.session.commit()


def test_the_copy_has_the_pages_questions_and_options_in_their_order(app: Flask) -> None:
    survey = _survey()
    copy = structure.structure_of(survey)
    assert [[q.code for q in page.questions] for page in copy.pages] == [["street"], ["age"]]
    assert [q.code for q in copy.questions] == [q.code for q in survey.questions]
    assert [(o.code, o.label) for o in copy.questions[0].options] == [("1", "新屯街道"), ("2", "搭连街道")]
    assert copy.questions[1].setting("max_value") == 120
    assert copy.questions[1].setting("scale_min", 1) == 1  # absent: the default, as Question.setting gives


def test_a_second_page_view_reads_no_questions_from_the_database(app: Flask) -> None:
    survey = _survey()
    structure.structure_of(survey)
    assert _statements_during(lambda: structure.structure_of(survey)) == 0


def test_residents_see_a_question_edited_after_publication(app: Flask, english: FlaskClient) -> None:
    survey = _survey()
    page = english.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "您住在哪个街道？" in page
    _edit_approved(survey, "您目前居住在哪个街道？", "万新街道")
    page = english.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "您目前居住在哪个街道？" in page and "万新街道" in page
    assert "您住在哪个街道？" not in page


def test_an_answer_to_an_option_added_after_publication_is_accepted(app: Flask, english: FlaskClient) -> None:
    survey = _survey()
    english.get(f"/surveys/{survey.id}")
    _edit_approved(survey, "您住在哪个街道？", "万新街道")
    english.get(f"/surveys/{survey.id}")
    answered = english.post(f"/surveys/{survey.id}", data={"page_index": "0", "action": "next", "street": "3"})
    assert answered.status_code == 302  # on to the next page: "3" (万新街道) is one of the options now


def test_an_edited_survey_leaves_one_entry_in_the_cache(app: Flask) -> None:
    survey = _survey()
    structure.structure_of(survey)
    _edit_approved(survey, "您住在哪个街道？", "万新街道")
    structure.structure_of(survey)
    assert [key for key in structure._entries if key[0] == survey.id] == [structure.cache_key(survey)]
