"""Answering a survey through the public pages: every question type, validation, conditions, resume, once only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.db import utcnow
from core.extensions import db
from surveys.models import Answer, DedupToken, QuestionType, Response, ResumeDraft
from tests.surveys.helpers import make_survey

T = QuestionType
EVERY_TYPE = [
    ("single", T.SINGLE, {"options": ["新屯街道", "搭连街道"], "settings": {"other": True}, "required": True}),
    ("multi", T.MULTIPLE, {"options": ["公交", "地铁", "自行车"],
                           "settings": {"min_selections": 1, "max_selections": 2}}),
    ("drop", T.DROPDOWN, {"options": ["18–29岁", "30–44岁"]}),
    ("short", T.SHORT_TEXT, {"validation": "regex(., '^1[3-9][0-9]{9}$')", "validation_message": "手机号格式不对"}),
    ("long", T.LONG_TEXT, {}),
    ("num", T.NUMBER, {"settings": {"min_value": 0, "max_value": 120}}),
    ("day", T.DATE, {}),
    ("scale", T.SCALE, {"settings": {"scale_min": 1, "scale_max": 5}}),
    ("nps", T.NPS, {}),
    ("grid", T.MATRIX, {"options": ["满意", "不满意"], "required": True,
                        "settings": {"rows": [{"code": "r1", "label": "效率"}, {"code": "r2", "label": "态度"}]}}),
    ("rank", T.RANKING, {"options": ["甲", "乙", "丙"]}),
    ("info", T.NOTE, {}),
]  # fmt: skip

VALID = {
    "single": "other", "single__other": "高尔山街道", "multi": ["1", "3"], "drop": "2", "short": "13912345678",
    "long": "希望增加公交线路。", "num": "42", "day": "2025-03-08", "scale": "4", "nps": "9",
    "grid.r1": "1", "grid.r2": "2", "rank__rank__1": "2", "rank__rank__2": "3", "rank__rank__3": "1",
}  # fmt: skip


@pytest.fixture
def english(client: FlaskClient) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _post(client: FlaskClient, survey: Any, page: int, data: dict[str, Any], action: str = "next") -> Any:
    return client.post(f"/surveys/{survey.id}", data={"page_index": str(page), "action": action, **data})


def _stored(survey: Any) -> dict[str, Any]:
    query = db.select(Answer).join(Response).where(Response.survey_id == survey.id)
    return {answer.question_code: answer.value for answer in db.session.scalars(query)}


def test_every_question_type_is_answered_and_stored_as_its_value(app: Flask, english: FlaskClient) -> None:
    survey = make_survey([EVERY_TYPE])
    db.session.commit()
    assert english.get(f"/surveys/{survey.id}").status_code == 200
    response = _post(english, survey, 0, VALID, "submit")
    assert response.status_code == 200, response.text
    assert "received" in response.text
    assert _stored(survey) == {
        "single": "other", "multi": ["1", "3"], "drop": "2", "short": "13912345678", "long": "希望增加公交线路。",
        "num": 42, "day": "2025-03-08", "scale": 4, "nps": 9, "grid": {"r1": "1", "r2": "2"}, "rank": ["3", "1", "2"],
    }  # fmt: skip
    other_text = db.session.scalar(db.select(Answer.other_text).where(Answer.question_code == "single"))
    assert other_text == "高尔山街道"


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"single": "", "single__other": ""}, "single", "requires an answer"),
        ({"single__other": ""}, "single", "Please specify"),
        ({"multi": ["1", "2", "3"]}, "multi", "at most 2"),
        ({"short": "12345"}, "short", "手机号格式不对"),
        ({"num": "121"}, "num", "from 0 to 120"),
        ({"num": "四十二"}, "num", "Enter a number"),
        ({"day": "2025-02-30"}, "day", "Enter a date"),
        ({"scale": "6"}, "scale", "from 1 to 5"),
        ({"nps": "11"}, "nps", "from 0 to 10"),
        ({"grid.r2": ""}, "grid", "Answer every row"),
        ({"rank__rank__3": "2"}, "rank", "different rank"),
    ],
)
def test_a_wrong_answer_is_shown_next_to_its_question_and_nothing_typed_is_lost(
    app: Flask, english: FlaskClient, changes: dict[str, Any], code: str, message: str
) -> None:
    survey = make_survey([EVERY_TYPE])
    db.session.commit()
    english.get(f"/surveys/{survey.id}")
    response = _post(english, survey, 0, {**VALID, **changes}, "submit")
    assert response.status_code == 200 and "error-summary" in response.text
    page = response.text
    block = page.split(f'id="q-{code}"')[1].split('id="q-')[0]  # this question's block, up to the next one
    assert f'id="{code}-error"' in block and message in block
    assert 'value="希望增加公交线路。"' not in page and "希望增加公交线路。</textarea>" in page  # long text kept
    assert 'value="13912345678"' in page or code == "short"
    assert _stored(survey) == {}


def test_hidden_question_is_neither_required_nor_stored(app: Flask, english: FlaskClient) -> None:
    survey = make_survey(
        [[("car", T.SINGLE, {"options": ["有车", "没有车"], "required": True}),
          ("parking", T.SHORT_TEXT, {"show_if": "${car} = '1'", "required": True})]]
    )  # fmt: skip
    db.session.commit()
    english.get(f"/surveys/{survey.id}")
    page = english.get(f"/surveys/{survey.id}").text
    assert 'data-show-if="' in page  # decided live in the browser when JavaScript runs
    response = _post(english, survey, 0, {"car": "2", "parking": "typed before changing my mind"}, "submit")
    assert response.status_code == 200
    assert _stored(survey) == {"car": "2"}


def test_shown_conditional_question_is_required(app: Flask, english: FlaskClient) -> None:
    survey = make_survey(
        [[("car", T.SINGLE, {"options": ["有车", "没有车"]})],
         [("parking", T.SHORT_TEXT, {"show_if": "${car} = '1'", "required": True})]]
    )  # fmt: skip
    db.session.commit()
    english.get(f"/surveys/{survey.id}")
    assert _post(english, survey, 0, {"car": "1"}).status_code == 302
    page = english.get(f"/surveys/{survey.id}").text
    assert "Page 2 of 2" in page and 'name="parking"' in page
    assert "requires an answer" in _post(english, survey, 1, {}, "submit").text


def test_page_skipped_when_all_its_questions_are_hidden(app: Flask, english: FlaskClient) -> None:
    survey = make_survey(
        [[("car", T.SINGLE, {"options": ["有车", "没有车"]})],
         [("parking", T.SHORT_TEXT, {"show_if": "${car} = '1'"})],
         [("last", T.SHORT_TEXT, {})]]
    )  # fmt: skip
    db.session.commit()
    english.get(f"/surveys/{survey.id}")
    _post(english, survey, 0, {"car": "2"})
    assert "Page 3 of 3" in english.get(f"/surveys/{survey.id}").text


def test_answers_so_far_survive_a_reload_and_the_next_day(app: Flask, english: FlaskClient) -> None:
    survey = make_survey([[("name_of_street", T.SHORT_TEXT, {})], [("why", T.LONG_TEXT, {})]])
    db.session.commit()
    english.get(f"/surveys/{survey.id}")
    _post(english, survey, 0, {"name_of_street": "新屯街道"})
    assert "Page 2 of 2" in english.get(f"/surveys/{survey.id}").text  # reload: same page
    back = _post(english, survey, 1, {"why": "半截话"}, "back")
    assert back.status_code == 302
    page = english.get(f"/surveys/{survey.id}").text
    assert 'value="新屯街道"' in page
    draft = db.session.scalar(db.select(ResumeDraft))
    assert draft.answers["values"] == {"name_of_street": "新屯街道", "why": "半截话"}


def test_second_response_from_the_same_browser_is_refused(app: Flask, english: FlaskClient) -> None:
    survey = make_survey([[("q1", T.SHORT_TEXT, {})]])
    db.session.commit()
    page = english.get(f"/surveys/{survey.id}").text
    key = page.split('name="submission_key" value="')[1].split('"')[0]
    first = _post(english, survey, 0, {"q1": "第一次", "submission_key": key}, "submit")
    assert "received" in first.text
    retried = _post(english, survey, 0, {"q1": "第一次", "submission_key": key}, "submit")
    assert "received" in retried.text  # the same submission again: thanked, not stored twice
    again = english.get(f"/surveys/{survey.id}")
    assert "already answered" in again.text
    refused = _post(english, survey, 0, {"q1": "第二次", "submission_key": "another-key-1234567890"}, "submit")
    assert "already answered" in refused.text
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 1


def test_closed_survey_shows_its_message_and_drops_its_tokens(app: Flask, english: FlaskClient) -> None:
    survey = make_survey([[("q1", T.SHORT_TEXT, {})]], closed_message="调查已结束，谢谢。")
    db.session.commit()
    english.get(f"/surveys/{survey.id}")
    _post(english, survey, 0, {"q1": "答案"}, "submit")
    survey.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    page = english.get(f"/surveys/{survey.id}")
    assert "调查已结束，谢谢。" in page.text
    assert db.session.scalar(db.select(db.func.count()).select_from(DedupToken)) == 0
    assert _post(english, survey, 0, {"q1": "迟到"}, "submit").status_code == 200
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 1


def test_purge_command_deletes_tokens_of_closed_surveys(app: Flask, english: FlaskClient, runner: Any) -> None:
    survey = make_survey([[("q1", T.SHORT_TEXT, {})]])
    db.session.commit()
    english.get(f"/surveys/{survey.id}")
    _post(english, survey, 0, {"q1": "答案"}, "submit")
    survey.ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["surveys", "purge-closed"])
    assert "1 closed survey(s) purged" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(DedupToken)) == 0


def test_response_cap_reached_closes_the_survey_for_the_next_resident(app: Flask, client: FlaskClient) -> None:
    survey = make_survey([[("q1", T.SHORT_TEXT, {})]], response_cap=1, closed_message="名额已满")
    db.session.commit()
    client.get(f"/surveys/{survey.id}")
    _post(client, survey, 0, {"q1": "a"}, "submit")
    other = app.test_client()
    assert "名额已满" in other.get(f"/surveys/{survey.id}").text


def test_unpublished_survey_is_not_public(app: Flask, client: FlaskClient) -> None:
    survey = make_survey([[("q1", T.SHORT_TEXT, {})]], approved=False)
    db.session.commit()
    assert client.get(f"/surveys/{survey.id}").status_code == 404
    assert client.get(f"/surveys/{survey.id}/qr.png").status_code == 404


def test_share_link_qr_codes_and_share_card(app: Flask, client: FlaskClient) -> None:
    survey = make_survey([[("q1", T.SHORT_TEXT, {})]], title="东洲区公交线网优化意见调查")
    db.session.commit()
    assert client.get(f"/s/{survey.short_code}").location.endswith(f"/surveys/{survey.id}")
    png = client.get(f"/surveys/{survey.id}/qr.png?download=1")
    assert png.data.startswith(b"\x89PNG") and "attachment" in png.headers["Content-Disposition"]
    assert b"<svg" in client.get(f"/surveys/{survey.id}/qr.svg").data
    page = client.get(f"/surveys/{survey.id}").text
    assert '<meta property="og:title" content="东洲区公交线网优化意见调查">' in page
    assert f"/surveys/{survey.id}/qr.png" in page.split('property="og:image"')[1].split(">")[0]


def test_survey_list_and_home_page_show_open_surveys(app: Flask, client: FlaskClient) -> None:
    make_survey([[("q1", T.SHORT_TEXT, {})]], title="开放中的问卷")
    make_survey([[("q1", T.SHORT_TEXT, {})]], title="草稿问卷", approved=False)
    db.session.commit()
    listing = client.get("/surveys/").text
    assert "开放中的问卷" in listing and "草稿问卷" not in listing
    assert "开放中的问卷" in client.get("/").text


def test_a_survey_sent_with_every_optional_question_blank_is_stored(app: Flask, english: FlaskClient) -> None:
    survey = make_survey([[("remark", T.LONG_TEXT, {})]])
    db.session.commit()
    english.get(f"/surveys/{survey.id}")
    response = _post(english, survey, 0, {"remark": ""}, "submit")
    assert response.status_code == 200
    assert "received" in response.text
    stored = db.session.scalars(db.select(Response).where(Response.survey_id == survey.id)).all()
    assert len(stored) == 1
    assert _stored(survey) == {}
