"""The feedback: refused until every valid comment is answered, numbers that add up, no personal data, e-mails,
receipt lookups, and what is due on the dashboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from consultation.comments import moderation
from consultation.drafting.services import WorkflowError
from consultation.handling import answers, feedback
from consultation.models import (
    Adoption,
    Channel,
    ConsultationStatus,
    RejectionReason,
    RespondentType,
)
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment, campaign
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
NO = answers.AnswerInput(Adoption.NOT_ADOPTED, "与上位法规定不一致。")


@pytest.fixture
def people(app):
    department = make_department(name="区住建局")
    return {
        "department": department,
        "editor": make_user(Role.EDITOR, department),
        "moderator": make_user(Role.MODERATOR),
    }


@pytest.fixture
def consultation(people):
    return make_consultation(people["department"], phase="closed")


def _publish_problems(consultation, text="一、第三条改为每周巡查。"):
    return feedback.publication_problems(consultation, text)


def test_feedback_is_refused_while_a_valid_comment_is_unanswered(consultation, people):
    first = add_comment(consultation, "建议改为每周巡查。", name="甲")
    second = add_comment(consultation, "施行日期推迟。", name="乙", unit_key="a2")
    pending = add_comment(consultation, "还没审核的意见。", name="丙", unit_key="a1")
    moderation.approve([first, second], people["moderator"])
    answers.answer(consultation, [first], NO, people["editor"])
    assert _publish_problems(consultation) == ["comments_pending:1", "comments_unanswered:1"]
    moderation.approve([pending], people["moderator"])
    answers.answer(consultation, [second, pending], NO, people["editor"])
    assert _publish_problems(consultation, "") == ["main_changes_missing"]
    assert _publish_problems(consultation) == []


def test_feedback_is_refused_while_a_non_adopted_concentrated_opinion_lacks_a_reason(app, consultation, people):
    app.config["CONSULTATION_REASON_REQUIRED_UNLESS_ADOPTED"] = False
    early = [add_comment(consultation, f"第三条{n}", name=f"居民{n}", unit_key="a3") for n in range(2)]
    many = [add_comment(consultation, f"其他{n}", name=f"别人{n}", unit_key=None) for n in range(28)]
    moderation.approve([*early, *many], people["moderator"])
    # Two of thirty is neither three submitters nor 10 %: an answer without a reason is accepted...
    answers.answer(consultation, early, answers.AnswerInput(Adoption.NOT_ADOPTED), people["editor"])
    answers.answer(consultation, many, NO, people["editor"])
    # ...until a third resident's comment on the same article is accepted late and makes it concentrated.
    late = add_comment(consultation, "第三条还是太严。", name="后来者", unit_key="a3")
    moderation.approve([late], people["moderator"])
    answers.answer(consultation, [late], NO, people["editor"])
    assert _publish_problems(consultation) == ["concentrated_reason_missing:2"]
    with pytest.raises(WorkflowError):
        feedback.publish(consultation, "无", people["editor"])
    assert consultation.status is ConsultationStatus.SCHEDULED


def test_an_open_consultation_cannot_publish_feedback(people):
    consultation = make_consultation(people["department"], phase="open")
    assert _publish_problems(consultation) == ["feedback_not_closed"]


def _handled(consultation, people):
    """A realistic mix: a campaign, people and organisations, three channels, spam and a duplicate rejected."""
    copies = campaign(consultation, 12)
    people_comments = [
        add_comment(consultation, "建议改为每周巡查，我的电话13904135566。", name="张晓祥", phone="13811112222",
                    email="zhang@example.cn", notify_me=True),
        add_comment(consultation, "物业企业没有执法权，应明确处置时限。", name="东洲区物业管理协会", unit_key="a2",
                    respondent_type=RespondentType.ASSOCIATION, channel=Channel.LETTER),
        add_comment(consultation, "施行日期推迟到明年。", name="李四", unit_key=None, channel=Channel.EMAIL,
                    publish_name=True),
    ]  # fmt: skip
    spam = add_comment(
        consultation, "360足球直播_365体育投注-平台官网", name="广告", email="spam@example.cn", notify_me=True
    )
    again = add_comment(consultation, "施行日期推迟到明年。", name="李四", unit_key=None)
    moderation.approve([*copies, *people_comments], people["moderator"])
    moderation.reject([spam], RejectionReason.SPAM, people["moderator"])
    moderation.reject([again], RejectionReason.DUPLICATE, people["moderator"])
    answers.answer(consultation, answers.cluster_members(consultation, copies[0].cluster_id), NO, people["editor"])
    answers.answer(
        consultation, people_comments[:1], answers.AnswerInput(Adoption.ADOPTED, "", "改为每周。"), people["editor"]
    )
    answers.answer(
        consultation, people_comments[1:2], answers.AnswerInput(Adoption.PARTLY_ADOPTED, "部分可行。"), people["editor"]
    )
    answers.answer(
        consultation, people_comments[2:], answers.AnswerInput(Adoption.OUT_OF_SCOPE, "另行研究。"), people["editor"]
    )
    return copies, people_comments, spam


def test_the_published_numbers_add_up(consultation, people):
    _handled(consultation, people)
    stats = feedback.statistics(consultation)
    assert (stats.received, stats.valid, stats.rejected, stats.pending) == (17, 15, 2, 0)
    assert stats.received == stats.valid + stats.rejected + stats.pending
    assert sum(stats.by_adoption.values()) == stats.valid
    assert stats.by_adoption == {
        Adoption.NOT_ADOPTED: 12, Adoption.ADOPTED: 1, Adoption.PARTLY_ADOPTED: 1, Adoption.OUT_OF_SCOPE: 1
    }  # fmt: skip
    assert stats.rejected_by_reason == {RejectionReason.SPAM: 1, RejectionReason.DUPLICATE: 1}
    assert sum(stats.by_channel.values()) == sum(stats.by_respondent.values()) == stats.received
    assert stats.participants == 12 + 3 + 1  # 李四 twice is one participant


def test_the_public_page_shows_the_numbers_the_cluster_once_and_no_personal_data(app, client, consultation, people):
    _copies, _people_comments, _spam = _handled(consultation, people)
    feedback.publish(consultation, "一、第三条改为每周巡查。", people["editor"])
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/feedback", headers=EN).text
    assert 'id="count-received">17<' in page and 'id="count-valid">15<' in page and 'id="count-rejected">2<' in page
    table = page.partition('class="feedback-table"')[2]
    assert table.count("<tr>") == 1 + 4  # header, the campaign once, three single comments
    assert "(12 identical or similar comments)" in table and "居**号 and 11 others" in table
    assert "张*祥" in table and "东洲区物业管理协会" in table and "李四" in table  # 李四 opted in to the full name
    for secret in ("13904135566", "13811112222", "zhang@example.cn", "spam@example.cn", "张晓祥", "体育投注"):
        assert secret not in page
    assert "139****5566" in page
    assert "Concentrated opinions" in page and "与上位法规定不一致。" in page
    assert f"/consultations/{consultation.id}/feedback" in client.get("/consultations/feedback").text


def test_feedback_is_not_public_before_it_is_published(client, consultation, people):
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}/feedback").status_code == 404


def test_publishing_e_mails_the_commenters_who_asked_and_the_lookup_shows_the_answer(
    app, client, auth, consultation, people
):
    _, people_comments, _ = _handled(consultation, people)
    db.session.commit()
    outbox = app.extensions.setdefault("minyi_outbox", [])
    outbox.clear()
    auth.login(people["editor"].email)
    response = client.post(
        f"/manage/consultations/{consultation.id}/feedback",
        data={"main_changes": "一、第三条改为每周巡查。", "intent": "publish"},
        headers=EN,
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/consultations/{consultation.id}/feedback"
    )
    assert sorted(message["To"] for message in outbox) == ["spam@example.cn", "zhang@example.cn"]
    to_zhang = next(message for message in outbox if message["To"] == "zhang@example.cn")
    assert people_comments[0].receipt_number in to_zhang.get_content()
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "consultation.feedback_publish"))
    lookup = client.post(
        "/consultations/receipt",
        data={"receipt": people_comments[0].receipt_number, "contact": "13811112222"},
        headers=EN,
    ).text
    assert 'class="lookup-answer"' in lookup and "Adopted" in lookup and "改为每周。" in lookup


def test_the_lookup_keeps_the_answer_back_until_the_feedback_is_published(client, consultation, people):
    _, people_comments, _ = _handled(consultation, people)
    db.session.commit()
    lookup = client.post(
        "/consultations/receipt", data={"receipt": people_comments[0].receipt_number, "contact": "13811112222"}
    ).text
    assert 'class="lookup-answer"' not in lookup


def test_the_dashboard_lists_feedback_due_and_overdue(client, auth, people):
    due_soon = make_consultation(
        people["department"], phase="closed", title="《刚结束的办法》", end_at=utcnow() - timedelta(days=1)
    )
    overdue = make_consultation(
        people["department"], phase="closed", title="《早已结束的办法》", end_at=utcnow() - timedelta(days=60)
    )
    make_consultation(make_department(), phase="closed", title="《别的部门的办法》")
    db.session.commit()
    assert feedback.due_date(due_soon) > feedback.due_date(overdue)
    auth.login(people["editor"].email)
    section = (
        client.get("/manage/", headers=EN).text.partition('id="dashboard-feedback-due"')[2].partition("</section>")[0]
    )
    assert "《刚结束的办法》" in section and "《早已结束的办法》" in section and "《别的部门的办法》" not in section
    assert f"Overdue since {feedback.due_date(overdue).isoformat()}" in section
    assert f"Due {feedback.due_date(due_soon).isoformat()}" in section


def test_a_long_feedback_table_is_paged_and_every_page_opens(client, consultation, people, monkeypatch):
    from consultation.comments import views

    monkeypatch.setattr(views, "FEEDBACK_ROWS_PER_PAGE", 2)
    _handled(consultation, people)
    feedback.publish(consultation, "一、第三条改为每周巡查。", people["editor"])
    db.session.commit()
    first = client.get(f"/consultations/{consultation.id}/feedback", headers=EN)
    assert first.status_code == 200
    link = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert link.startswith(f"/consultations/{consultation.id}/feedback?")
    second = client.get(link, headers=EN)
    assert second.status_code == 200 and "Page 2 of 2" in second.text


def test_a_residents_number_quoted_in_a_staff_answer_is_masked_and_the_offices_line_kept(
    app, client, auth, consultation, people
):
    """Staff write the answers; the public page, the API and the public 说明 table mask what they quote by mistake."""
    _copies, people_comments, _spam = _handled(consultation, people)
    office = consultation.contact_phone
    reason = f"已电话联系13904135566答复，详询{office}。"
    answers.answer(
        consultation, people_comments[1:2], answers.AnswerInput(Adoption.PARTLY_ADOPTED, reason), people["editor"]
    )
    feedback.publish(consultation, "一、第三条改为每周巡查。", people["editor"])
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/feedback", headers=EN).text
    api = client.get(f"/api/v1/consultations/{consultation.id}/feedback").get_data(as_text=True)
    auth.login(people["editor"].email)
    summary = f"/manage/consultations/{consultation.id}/summary.csv"
    public_table = client.get(summary).get_data(as_text=True)
    for published in (page, api, public_table):
        assert "13904135566" not in published and "139****5566" in published
        assert office in published  # the department's own line is what residents are told to call
    assert "13904135566" in client.get(summary + "?version=internal").get_data(as_text=True)
