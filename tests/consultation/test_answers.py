"""Answers: every valid comment or cluster, a reason unless adopted, concentrated opinions, templates, isolation."""

from __future__ import annotations

import pytest

from consultation.comments import moderation
from consultation.handling import answers
from consultation.models import Adoption, Comment
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment, campaign
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


@pytest.fixture
def consultation(app):
    consultation = make_consultation(make_department(), phase="closed")
    db.session.commit()
    return consultation


def _approved(consultation, *comments):
    moderation.approve(list(comments), make_user(Role.MODERATOR))
    db.session.commit()
    return comments


def _fresh(comment):
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


def test_a_campaign_of_200_is_answered_once_for_the_whole_cluster(client, auth, consultation):
    copies = campaign(consultation, 200)
    _approved(consultation, *copies)
    auth.login_as(Role.EDITOR, consultation.department)
    page = client.get(f"/manage/consultations/{consultation.id}/answers").text
    assert page.count('name="cluster"') == 1 and 'name="comment"' not in page  # one row for the campaign
    response = client.post(
        f"/manage/consultations/{consultation.id}/answers/bulk",
        data={
            "cluster": str(copies[0].cluster_id),
            "adoption": "not_adopted",
            "reason": "巡查频次是消防安全的最低要求。",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    adoptions = db.session.scalars(db.select(Comment.adoption).where(Comment.cluster_id == copies[0].cluster_id)).all()
    assert len(adoptions) == 200 and set(adoptions) == {Adoption.NOT_ADOPTED}
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "consultation.answer")).all()
    assert len(events) == 1 and len(events[0].detail["receipts"]) == 200


def test_a_reason_is_required_unless_adopted(client, auth, consultation):
    (comment,) = _approved(consultation, add_comment(consultation, "建议改为每周巡查。"))
    auth.login_as(Role.EDITOR, consultation.department)
    url = f"/manage/consultations/{consultation.id}/answers/comment/{comment.id}"
    refused = client.post(url, data={"adoption": "not_adopted", "reason": ""})
    assert refused.status_code == 400 and _fresh(comment).adoption is None
    assert client.post(url, data={"adoption": "adopted", "change": "第三条改为每周巡查。"}).status_code == 302
    assert _fresh(comment).adoption is Adoption.ADOPTED


def test_concentrated_opinions_are_marked_and_need_a_reason_even_when_others_do_not(app, consultation):
    app.config["CONSULTATION_REASON_REQUIRED_UNLESS_ADOPTED"] = False
    editor = make_user(Role.EDITOR, consultation.department)
    on_a3 = [
        add_comment(consultation, f"第三条意见{n}：巡查太频繁。", name=f"居民{n}", unit_key="a3") for n in range(3)
    ]
    # Short texts only cluster with exact copies, so these stay 27 separate opinions.
    others = [add_comment(consultation, f"其他意见{n}", name=f"别人{n}", unit_key=None) for n in range(27)]
    _approved(consultation, *on_a3, *others)
    assert answers.concentrated_ids(consultation) == {c.id for c in on_a3}
    answers.answer(consultation, others[:1], answers.AnswerInput(Adoption.NOT_ADOPTED), editor)
    with pytest.raises(answers.WorkflowError) as refused:
        answers.answer(consultation, on_a3[:1], answers.AnswerInput(Adoption.NOT_ADOPTED), editor)
    assert refused.value.problems == ["concentrated_reason_required"]


def test_ten_percent_of_valid_comments_from_two_submitters_is_concentrated(app, consultation):
    pair = [add_comment(consultation, f"第一条意见{n}", name=f"甲{n}", unit_key="a1") for n in range(2)]
    rest = [add_comment(consultation, f"零散意见{n}", name=f"乙{n}", unit_key=None) for n in range(8)]
    lone = add_comment(consultation, "第二条只有我提。", name="丙", unit_key="a2")
    _approved(consultation, *pair, *rest, lone)
    assert answers.concentrated_ids(consultation) == {c.id for c in pair}  # 2 of 11 ≥ 10 %; one alone is not


def test_answer_templates_are_per_department_and_prefill_the_form(client, auth, consultation):
    (comment,) = _approved(consultation, add_comment(consultation, "建议改为每周巡查。"))
    editor = auth.login_as(Role.EDITOR, consultation.department)
    response = client.post(
        "/manage/consultations/answer-templates",
        data={"department_id": str(consultation.department_id), "title": "超出范围", "adoption": "out_of_scope",
              "reason": "不属于本办法调整范围，已转交相关部门。"},
    )  # fmt: skip
    assert response.status_code == 302
    template = answers.templates_for([consultation.department_id])[0]
    form = client.get(
        f"/manage/consultations/{consultation.id}/answers/comment/{comment.id}?template={template.id}"
    ).text
    assert "不属于本办法调整范围，已转交相关部门。" in form
    other = make_department()
    foreign = answers.create_template(other, "别人的", answers.AnswerInput(Adoption.ADOPTED), editor)
    db.session.commit()
    page = client.get(f"/manage/consultations/{consultation.id}/answers/comment/{comment.id}?template={foreign.id}")
    assert "别人的" not in page.text


def test_editors_answer_only_their_own_departments_consultations(client, auth, consultation):
    (comment,) = _approved(consultation, add_comment(consultation, "建议改为每周巡查。"))
    auth.login_as(Role.EDITOR, make_department())
    assert client.get(f"/manage/consultations/{consultation.id}/answers").status_code == 403
    response = client.post(
        f"/manage/consultations/{consultation.id}/answers/bulk",
        data={"comment": str(comment.id), "adoption": "adopted"},
    )
    assert response.status_code == 403 and _fresh(comment).adoption is None


def test_moderators_cannot_answer(client, auth, consultation):
    (comment,) = _approved(consultation, add_comment(consultation, "建议改为每周巡查。"))
    auth.login_as(Role.MODERATOR)
    url = f"/manage/consultations/{consultation.id}/answers/comment/{comment.id}"
    assert client.post(url, data={"adoption": "adopted"}).status_code == 403
    assert _fresh(comment).adoption is None


def test_rejected_comments_are_not_answered(app, consultation):
    spam = add_comment(consultation, "360足球直播_365体育投注")
    moderation.reject([spam], moderation.RejectionReason.SPAM, make_user(Role.MODERATOR))
    editor = make_user(Role.EDITOR, consultation.department)
    with pytest.raises(answers.WorkflowError) as refused:
        answers.answer(consultation, [spam], answers.AnswerInput(Adoption.ADOPTED), editor)
    assert refused.value.problems == ["answer_not_valid"]
