"""Survey page submissions per address: limited, and the limit is a setting (an office behind one address)."""

from __future__ import annotations

from flask import Flask

from core.extensions import db
from surveys.models import QuestionType
from tests.conftest import make_app
from tests.surveys.helpers import make_survey


def _statuses(app: Flask, survey_id: int, posts: int) -> list[int]:
    client = app.test_client()
    answer = {"page_index": "0", "action": "submit", "q": "建议"}
    return [client.post(f"/surveys/{survey_id}", data=answer).status_code for _ in range(posts)]


def test_survey_posts_beyond_the_configured_limit_are_refused_with_429(app: Flask, test_config: dict) -> None:
    survey = make_survey([[("q", QuestionType.SHORT_TEXT, {})]])
    db.session.commit()
    limited = make_app(test_config, RATELIMIT_ENABLED=True, SURVEY_POST_RATE_LIMIT="2 per minute")
    statuses = _statuses(limited, survey.id, 3)
    assert 429 not in statuses[:2]
    assert statuses[2] == 429


def test_a_higher_survey_limit_lets_more_posts_through(app: Flask, test_config: dict) -> None:
    survey = make_survey([[("q", QuestionType.SHORT_TEXT, {})]])
    db.session.commit()
    relaxed = make_app(test_config, RATELIMIT_ENABLED=True, SURVEY_POST_RATE_LIMIT="50 per minute")
    assert 429 not in _statuses(relaxed, survey.id, 35)
