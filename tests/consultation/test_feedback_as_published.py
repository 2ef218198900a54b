"""The feedback page shows exactly what was published and sealed: the answers its concentrated opinions quote are
sealed with it, and its counts are those of the comments registered before publication (late letters are in the
addendum; the 说明 counts every comment)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from consultation.comments import commenting, moderation
from consultation.comments.commenting import CommentInput
from consultation.handling import answers, feedback
from consultation.models import Adoption, Channel, Comment, Consultation, RespondentType
from core.extensions import db
from core.models import Role, User
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
SHARED = "建议在小区内增设电动自行车集中充电车棚，并明确物业企业的日常巡查与消防安全管理责任。"
DEFACED = "澳门金沙博彩"
_REWRITE = {
    "answer_reason": "UPDATE consultation_comments SET answer_reason = :t WHERE id = :id",
    "answer_change": "UPDATE consultation_comments SET answer_change = :t WHERE id = :id",
}


def _published() -> tuple[Consultation, User, list[Comment]]:
    department = make_department(name="区住建局")
    editor = make_user(Role.EDITOR, department)
    consultation = make_consultation(department, phase="closed", created_by=editor)
    comments = [add_comment(consultation, SHARED, name=name) for name in ("张晓明", "李红", "王五")]
    moderation.approve(comments, make_user(Role.MODERATOR))
    answers.answer(consultation, comments, answers.AnswerInput(Adoption.NOT_ADOPTED, "与上位法规定不一致。"), editor)
    feedback.publish(consultation, "第三条改为每周巡查。", editor)
    db.session.commit()
    return consultation, editor, comments


def _check(app: Any) -> str:
    return app.test_cli_runner().invoke(args=["integrity", "check"]).output


@pytest.mark.parametrize("column", ["answer_reason", "answer_change"])
def test_an_answer_quoted_by_the_concentrated_opinions_rewritten_in_the_database_is_not_served(
    client: Any, app: Any, column: str
) -> None:
    consultation, _editor, comments = _published()
    page = client.get(f"/consultations/{consultation.id}/feedback")
    assert page.status_code == 200 and 'id="fb-concentrated"' in page.text
    hidden = comments[-1]  # grouped with the first, which is the one row the table shows
    db.session.execute(text(_REWRITE[column]), {"t": DEFACED, "id": hidden.id})  # as an intruder with the database
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/feedback")
    assert page.status_code == 503 and DEFACED not in page.text
    assert f"changed\tconsultation.feedback\t{consultation.id}" in _check(app)


def test_the_published_counts_leave_out_a_letter_registered_after_publication(client: Any, app: Any) -> None:
    consultation, editor, _comments = _published()
    data = CommentInput(content="第一条应写明依据的上位法。", author_name="赵建华",
                        respondent_type=RespondentType.INDIVIDUAL, channel=Channel.LETTER)  # fmt: skip
    commenting.record_offline_comment(consultation, data, editor)
    db.session.commit()
    page = client.get(f"/consultations/{consultation.id}/feedback").text
    assert '<strong id="count-received">3</strong>' in page
    assert '<strong id="count-participants">3</strong>' in page
    by_channel = page[page.index('id="by-channel"') : page.index("</table>", page.index('id="by-channel"'))]
    assert "<td>3</td>" in by_channel and "<td>1</td>" not in by_channel
    # The 说明 counts every comment, the late letter too.
    assert feedback.statistics(consultation).received == 4


def test_feedback_sealed_before_opinions_were_is_served_until_seal_all_seals_it_again(client: Any, app: Any) -> None:
    from consultation.sealing import feedback_content
    from core.integrity import canonical, ledger, registry

    consultation, _editor, comments = _published()
    subject = str(consultation.id)
    # As the previous version sealed the site (generations 1 to 3): the feedback's table with names, no opinions.
    for kind in ("consultation", "consultation.period", "department"):
        ledger.seal(kind, consultation.department_id if kind == "department" else consultation.id, reason="seal-all")
    earlier = canonical.content_hash(feedback_content(subject, opinions=False))
    ledger.append("consultation.feedback", subject, earlier, "publish")
    ledger.seal_summary(registry.kind("consultation.feedback"), subject, "publish")
    for generation in (1, 2, 3):
        ledger.append(ledger.START_KIND, ledger.start_subject(generation), ledger.GENESIS, "seal-all")
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}/feedback").status_code == 200
    assert "consultation.feedback" not in _check(app)
    seal_all = app.test_cli_runner().invoke(args=["integrity", "seal-all"]).output
    assert "consultation.feedback" in seal_all
    db.session.execute(text(_REWRITE["answer_reason"]), {"t": DEFACED, "id": comments[-1].id})
    db.session.commit()
    assert client.get(f"/consultations/{consultation.id}/feedback").status_code == 503
