"""A late letter that copies a published comment: grouped with its twin for the department, answered in an addendum,
and the published feedback table (its rows, their grouping and counts) stays as published and sealed."""

from __future__ import annotations

from typing import Any

import pytest

from consultation.comments import commenting, moderation
from consultation.comments.commenting import CommentInput
from consultation.drafting.services import WorkflowError
from consultation.handling import addenda, answers, feedback
from consultation.models import Adoption, Channel, Comment, Consultation, RespondentType
from core.extensions import db
from core.integrity.models import IntegrityAlert
from core.models import Role, User
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
BASE = "建议在小区内增设电动自行车集中充电车棚，并明确物业企业的日常巡查与消防安全管理责任"
SHARED = BASE + "，费用由业主共同分摊。"  # the two published comments are near copies of this one (not of each other)
STREET = BASE + "，由街道统一组织建设。"
LAW = "第一条应写明依据的上位法。"


def _published(texts: list[str]) -> tuple[Consultation, User, list[Comment]]:
    department = make_department(name="区住建局")
    editor = make_user(Role.EDITOR, department)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    names = ("张晓明", "李红", "王五")
    comments = [add_comment(consultation, text, name=name) for text, name in zip(texts, names, strict=True)]
    moderation.approve(comments, make_user(Role.MODERATOR))
    answers.answer(consultation, comments, answers.AnswerInput(Adoption.NOT_ADOPTED, "与上位法规定不一致。"), editor)
    feedback.publish(consultation, "第三条改为每周巡查。", editor)
    db.session.commit()
    return consultation, editor, comments


def _letter(consultation: Consultation, text: str, editor: User) -> Comment:
    data = CommentInput(content=text, author_name="赵建华", respondent_type=RespondentType.INDIVIDUAL,
                        channel=Channel.LETTER)  # fmt: skip
    letter = commenting.record_offline_comment(consultation, data, editor)
    db.session.commit()
    return letter


def _feedback_seal_holds(app: Any) -> bool:
    """`flask integrity check` names no broken feedback (the test's notice is not sealed: not checked here)."""
    return "consultation.feedback" not in app.test_cli_runner().invoke(args=["integrity", "check"]).output


def _published_part(client: Any, consultation: Consultation) -> tuple[str, list[dict[str, Any]]]:
    """The concentrated opinions and the table of the feedback page, and the API's rows."""
    page = client.get(f"/consultations/{consultation.id}/feedback", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    start = page.text.index('id="fb-concentrated"')
    end = page.text.index("</section>", page.text.index('id="fb-table"'))
    api = client.get(f"/api/v1/consultations/{consultation.id}/feedback")
    assert api.status_code == 200
    return page.text[start:end], api.get_json()["rows"]["items"]


def test_a_late_copy_of_published_comments_leaves_the_published_table_as_it_was(client: Any, app: Any) -> None:
    consultation, editor, (first, second, third) = _published([SHARED, STREET, LAW])
    assert first.cluster_id is None and second.cluster_id is None  # two rows of the published table
    page_before, api_before = _published_part(client, consultation)

    bridge = _letter(consultation, BASE + "。", editor)  # a near copy of both published rows
    twin = _letter(consultation, LAW, editor)  # an exact copy of the third

    # The department handles each letter with its twin ...
    db.session.expire_all()
    assert bridge.cluster_id == (first.cluster_id or first.id)
    assert twin.cluster_id == (third.cluster_id or third.id)
    # ... the public reads what was published, and its seal holds.
    assert _published_part(client, consultation) == (page_before, api_before)
    assert _feedback_seal_holds(app)

    answer = answers.AnswerInput(Adoption.PARTLY_ADOPTED, "将在实施细则中统筹考虑。")
    answers.answer(consultation, [bridge, twin], answer, editor)
    addenda.publish_addendum(consultation, "该信件于截止日前寄出。", editor)
    db.session.commit()

    assert _published_part(client, consultation) == (page_before, api_before)
    assert [row["size"] for row in api_before] == [1, 1, 1] and "等" not in page_before
    page = client.get(f"/consultations/{consultation.id}/feedback").text
    added = page[page.index('id="feedback-addenda"') :]
    assert added.count("赵*华") == 2 and "将在实施细则中统筹考虑。" in added and LAW in added
    assert _feedback_seal_holds(app)


def test_checking_duplicates_again_after_the_feedback_never_joins_two_published_rows(client: Any, app: Any) -> None:
    variant = SHARED.replace("共同分摊", "共同承担")  # a near copy, which the moderator took out of the cluster
    department = make_department(name="区住建局")
    editor = make_user(Role.EDITOR, department)
    moderator = make_user(Role.MODERATOR)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    comments = [add_comment(consultation, SHARED, name="张晓明"), add_comment(consultation, variant, name="李红")]
    assert comments[1].cluster_id == comments[0].id
    moderation.split_off([comments[1]], moderator)
    moderation.approve(comments, moderator)
    answers.answer(consultation, comments, answers.AnswerInput(Adoption.NOT_ADOPTED, "与上位法规定不一致。"), editor)
    feedback.publish(consultation, "第三条改为每周巡查。", editor)
    db.session.commit()
    before = _published_part(client, consultation)

    moderation.recheck_duplicates(consultation, moderator)
    db.session.commit()

    assert _published_part(client, consultation) == before
    assert _feedback_seal_holds(app)


def test_an_addendum_never_seals_a_feedback_table_changed_in_the_database(client: Any, app: Any) -> None:
    consultation, editor, (_first, _second, third) = _published([SHARED, STREET, LAW])
    letter = _letter(consultation, "第二条的期限太短。", editor)
    answers.answer(consultation, [letter], answers.AnswerInput(Adoption.ADOPTED, ""), editor)
    db.session.commit()
    # Someone rewrites a published answer directly in the database.
    db.session.execute(db.update(Comment).where(Comment.id == third.id).values(answer_reason="已采纳，详见澳门金沙。"))
    db.session.commit()

    with pytest.raises(WorkflowError) as refused:
        addenda.publish_addendum(consultation, "该信件于截止日前寄出。", editor)
    assert refused.value.problems == ["feedback_seal_broken"]
    db.session.rollback()
    # Not laundered: the table still fails its seal, the page is not served, and the portal office is alerted.
    assert not _feedback_seal_holds(app)
    assert client.get(f"/consultations/{consultation.id}/feedback").status_code == 503
    alerted = db.session.scalars(
        db.select(IntegrityAlert.kind).where(IntegrityAlert.subject_id == str(consultation.id))
    )
    assert "consultation.feedback" in set(alerted)
