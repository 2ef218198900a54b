"""The pages where Chinese readers met English or the wrong Chinese now say the right thing (issue 11, defect 9).

Each test opens the page in zh_CN (the default) unless it says otherwise, as the person who saw the defect.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from consultation.comments import moderation
from core.db import utcnow
from core.extensions import db
from core.models import Role
from surveys.models import Answer, QuestionType, Response
from tests.conftest import AuthActions
from tests.consultation.conftest import known_holiday_calendars, make_consultation  # noqa: F401
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department, make_user
from tests.i18n_checks import latin_words_on_chinese_page
from tests.surveys.helpers import make_survey

ENGLISH = {"Accept-Language": "en"}


def _visible_text(html: str) -> str:
    """The page's text without tags, so a test reads what a person reads."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


# ---------------------------------------------------------------------------------------------------- words


def test_moderators_see_the_word_list_by_its_chinese_name_not_its_code(client: FlaskClient, auth: AuthActions) -> None:
    consultation = make_consultation(make_department())
    add_comment(consultation, "360足球直播_365体育投注-平台官网，注册就送彩金")
    db.session.commit()
    auth.login_as(Role.MODERATOR)
    page = client.get("/manage/moderation/").text
    assert "敏感词：赌博" in page
    assert "gambling" not in _visible_text(page) and "advertising" not in _visible_text(page)
    # The cluster filter is a choice in Chinese, not a word to type in English.
    assert "clustered" not in _visible_text(page) and "已归入相似意见组的" in page
    assert latin_words_on_chinese_page(page) == []


def test_the_word_lists_are_named_in_chinese_with_their_code_beside(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/words/").text
    assert "<legend>赌博 <code>gambling</code>" in page and "<legend>广告 <code>advertising</code>" in page
    assert latin_words_on_chinese_page(page) == []


def test_staff_see_their_roles_by_name(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as(Role.MODERATOR)
    page = client.get("/account/").text
    assert "审核员（门户网站）" in _visible_text(page)
    assert "moderator" not in _visible_text(page)


# ---------------------------------------------------------------------------------------------------- surveys


def test_a_condition_error_is_explained_in_chinese(client: FlaskClient, auth: AuthActions) -> None:
    department = make_department()
    editor = auth.login_as(Role.EDITOR, department)
    survey = make_survey([[("age", QuestionType.NUMBER, {})]], department=department, editor=editor, approved=False)
    db.session.commit()
    data = {"page_id": survey.pages[0].id, "type": "single", "code": "job", "text": "职业", "show_if": "${age} >=",
            "validation": ""}  # fmt: skip
    page = client.post(f"/manage/surveys/{survey.id}/questions/new", data=data).text
    assert "此处应有一个值，但条件已经结束。" in page
    assert "Expected a value" not in page
    data["show_if"] = "${agee} = 1"
    page = client.post(f"/manage/surveys/{survey.id}/questions/new", data=data).text
    assert "没有代码为“agee”的题目。" in page


def test_public_results_head_each_question_with_its_text_not_its_code(client: FlaskClient) -> None:
    survey = make_survey([[("street", QuestionType.SINGLE, {"text": "您住在哪个街道？", "options": ["新屯", "搭连"]})]])
    for street in ["1"] * 6 + ["2"] * 5:
        response = Response(survey_id=survey.id, submitted_at=utcnow())
        response.answers = [Answer(question_code="street", value=street)]
        db.session.add(response)
    survey.results_published = True
    db.session.commit()
    page = client.get(f"/surveys/{survey.id}/results").text
    heading = re.search(r'id="result-street">\s*<h2>(.*?)</h2>', page, re.S).group(1)
    assert heading.strip() == "您住在哪个街道？"
    assert "street" not in _visible_text(page)


def test_the_number_question_type_is_called_a_number_question(client: FlaskClient, auth: AuthActions) -> None:
    department = make_department()
    editor = auth.login_as(Role.EDITOR, department)
    survey = make_survey([[("age", QuestionType.NUMBER, {}), ("visit", QuestionType.DATE, {})]],
                         department=department, editor=editor, approved=False)  # fmt: skip
    db.session.commit()
    page = client.get(f"/manage/surveys/{survey.id}").text
    assert "· 数值题" in page and "· 日期题" in page
    assert "序号" not in page


def test_a_survey_that_has_not_started_is_not_called_open(client: FlaskClient, auth: AuthActions) -> None:
    department = make_department()
    editor = auth.login_as(Role.EDITOR, department)
    later = utcnow() + timedelta(days=5)
    survey = make_survey([[("age", QuestionType.NUMBER, {})]], department=department, editor=editor,
                         starts_at=later, ends_at=later + timedelta(days=30))  # fmt: skip
    db.session.commit()
    page = client.get(f"/manage/surveys/{survey.id}").text
    assert "待开始" in page and "<dt>开放时间</dt>" in page
    assert "进行中" not in page


# ---------------------------------------------------------------------------------------------------- consultations


@pytest.mark.usefixtures("known_holiday_calendars")
def test_the_feedback_form_counts_comments_received_not_a_time(client: FlaskClient, auth: AuthActions) -> None:
    department = make_department()
    consultation = make_consultation(department, phase="closed")
    for n in range(6):
        add_comment(consultation, f"建议第三条增加夜间巡查的要求，编号{n}。", name=f"居民{n}")
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    page = client.get(f"/manage/consultations/{consultation.id}/feedback").text
    assert "<dt>收到意见</dt><dd>6</dd>" in page
    assert "收到时间" not in page


@pytest.mark.usefixtures("known_holiday_calendars")
def test_one_participant_is_said_in_the_singular_in_english(client: FlaskClient) -> None:
    consultation = make_consultation(make_department())
    comment = add_comment(consultation, "建议第三条增加夜间巡查的要求。", unit_key=None)
    moderation.approve([comment], make_user(Role.MODERATOR))
    db.session.commit()
    text = _visible_text(client.get(f"/consultations/{consultation.id}", headers=ENGLISH).text)
    assert "1 participant 1 comment" in text and "1 participants" not in text
    assert "1 comment on the whole draft" in text
    assert "1 人参与" in _visible_text(client.get(f"/consultations/{consultation.id}").text)
