"""No resident's phone, e-mail or unconsented name ever leaves through the open data: every API and feed response."""

from __future__ import annotations

import pytest

from consultation.comments.commenting import CommentInput
from consultation.models import Channel, CommentDisplay, RespondentType
from core.extensions import db
from surveys.models import Answer, QuestionType, Response
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.consultation.opendata_helpers import publish_addendum, publish_feedback
from tests.factories import make_department
from tests.surveys.helpers import make_survey
from tests.surveys.results_data import START

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
PHONE, EMAIL, NAME = "13912345678", "wangjianguo@example.com", "王建国"


def test_planted_phone_email_and_name_appear_in_no_api_or_feed_response(app, client) -> None:
    department = make_department(name="区住建局")
    closed = make_consultation(department, phase="closed", comment_display=CommentDisplay.APPROVED_MASKED)
    still_open = make_consultation(department, phase="open", comment_display=CommentDisplay.APPROVED_MASKED)
    planted = {"name": NAME, "phone": PHONE, "email": EMAIL, "publish_name": False}
    text = f"建议改为每周巡查。有事请联系我{PHONE}或{EMAIL}。"
    closed_comment = add_comment(closed, text, **planted)
    add_comment(still_open, text, **planted)
    publish_feedback(closed, [closed_comment])  # the open one's comment stays pending: counted, never shown
    # A letter after the feedback, answered in an addendum whose note quotes the writer's phone by mistake.
    late = CommentInput(f"信件：建议增设充电车棚，回电{PHONE}或写信到{EMAIL}。", RespondentType.INDIVIDUAL,
                        author_name=NAME, phone=PHONE, email=EMAIL, channel=Channel.LETTER)  # fmt: skip
    publish_addendum(closed, late, note=f"来信人（{PHONE}）的信件于截止日前寄出。")
    survey = make_survey([[("street", QuestionType.SINGLE, {"options": ["新屯", "搭连"]}),
                           ("note", QuestionType.SHORT_TEXT, {})]], department=department)  # fmt: skip
    for _n in range(6):
        response = Response(survey_id=survey.id, submitted_at=START)
        response.answers = [Answer(question_code="street", value="1"),
                            Answer(question_code="note", value=f"{NAME} {PHONE} {EMAIL}")]  # fmt: skip
        db.session.add(response)
    survey.results_published = True
    db.session.commit()

    urls = ["/api/v1/openapi.json", "/api/v1/consultations", "/api/v1/surveys", f"/api/v1/surveys/{survey.id}",
            f"/api/v1/surveys/{survey.id}/results", "/consultations/feed.atom",
            "/consultations/feedback/feed.atom", "/surveys/feed.atom"]  # fmt: skip
    for consultation in (closed, still_open):
        urls += [f"/api/v1/consultations/{consultation.id}{suffix}" for suffix in ("", "/units", "/feedback")]
    served = 0
    for url in urls:
        for language in ("zh-CN", "en"):
            response = client.get(url, headers={"Accept-Language": language})
            body = response.get_data(as_text=True)
            served += response.status_code == 200
            for secret in (PHONE, EMAIL, NAME):
                assert secret not in body, f"{secret} leaked through {url}"
    assert served == 2 * (len(urls) - 1)  # all but the open consultation's feedback, which is not published
    # The comment is in the feedback table all the same, masked as on the public page.
    rows = client.get(f"/api/v1/consultations/{closed.id}/feedback").get_json()["rows"]["items"]
    assert rows[0]["name"] == "王*国" and "139****5678" in rows[0]["content"]
    (addendum,) = client.get(f"/api/v1/consultations/{closed.id}/feedback").get_json()["addenda"]
    assert addendum["rows"][0]["name"] == "王*国" and "139****5678" in addendum["note"]
    feed = client.get("/consultations/feedback/feed.atom").get_data(as_text=True)
    assert feed.count(f"/consultations/{closed.id}/feedback#addendum-{addendum['id']}") == 2  # its id and link
