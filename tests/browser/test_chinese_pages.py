"""In a real browser, in Chinese: a moderator on a phone filters the queue by cluster through a Chinese choice and
reads the marked words' list by name; a resident at a desk reads public results headed by the questions."""

from __future__ import annotations

from typing import Any

from consultation.models import Comment
from core.db import utcnow
from core.extensions import db
from core.models import Role
from surveys.models import Answer, QuestionType, Response
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment, campaign
from tests.factories import DEFAULT_PASSWORD, make_department, make_user
from tests.i18n_checks import latin_words_on_chinese_page
from tests.surveys.helpers import make_survey


def test_a_moderator_on_a_phone_filters_by_cluster_in_chinese(live_server: Any, phone: Any, shot: Any) -> None:
    consultation = make_consultation(make_department())
    campaign(consultation, 4)
    add_comment(consultation, "360足球直播_365体育投注-平台官网，注册就送彩金", unit_key=None)
    make_user(Role.MODERATOR, email="moderator@example.cn")
    db.session.commit()
    phone.goto(live_server.url + "/login")
    phone.get_by_label("电子邮箱").fill("moderator@example.cn")
    phone.get_by_label("密码").fill(DEFAULT_PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/manage/**")
    phone.goto(live_server.url + "/manage/moderation/")
    assert phone.locator("mark.hl-word").first.get_attribute("title") == "赌博"
    phone.get_by_label("相似意见组").select_option(label="已归入相似意见组的")
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_url("**cluster=clustered**")
    clustered = db.session.scalar(db.select(db.func.count()).where(Comment.cluster_id.is_not(None)))
    assert phone.locator("li.queue-item").count() == clustered == 4
    assert latin_words_on_chinese_page(phone.content()) == []
    shot(phone, "moderation-cluster-filter")


def test_a_resident_reads_public_results_headed_by_the_questions(live_server: Any, desktop: Any, shot: Any) -> None:
    survey = make_survey([[("street", QuestionType.SINGLE, {"text": "您住在哪个街道？", "options": ["新屯", "搭连"]})]])
    for street in ["1"] * 6 + ["2"] * 5:
        response = Response(survey_id=survey.id, submitted_at=utcnow())
        response.answers = [Answer(question_code="street", value=street)]
        db.session.add(response)
    survey.results_published = True
    db.session.commit()
    desktop.goto(f"{live_server.url}/surveys/{survey.id}/results")
    assert desktop.locator("#result-street h2").inner_text() == "您住在哪个街道？"
    assert latin_words_on_chinese_page(desktop.content()) == []
    shot(desktop, "public-results")
