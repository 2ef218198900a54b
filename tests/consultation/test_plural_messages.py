"""Staff and residents read counts in proper English: "1 comment is waiting", "3 comments are waiting"; the Chinese
(one plural form) reads the same sentence for every count."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from consultation import labels
from consultation.legality import labels as legality_labels
from consultation.models import CommentDisplay
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize(
    ("code", "english", "chinese"),
    [
        ("comments_pending:1", "1 comment is still waiting for moderation.", "尚有1条意见待审核。"),
        ("comments_pending:3", "3 comments are still waiting for moderation.", "尚有3条意见待审核。"),
        ("comments_unanswered:1", "1 valid comment has no answer yet.", "尚有1条有效意见未答复。"),
    ],
)
def test_a_refusal_names_its_count_in_the_right_number(app, code, english, chinese):
    with app.test_request_context():
        with force_locale("en"):
            assert labels.problem_message(code) == english
        with force_locale("zh_Hans_CN"):
            assert labels.problem_message(code) == chinese


def test_the_legality_gate_counts_in_the_right_number(app):
    with app.test_request_context(), force_locale("en"):
        assert legality_labels.problem_message("gate_comments_answered:1") == (
            "1 comment still needs moderation or an answer."
        )
        assert legality_labels.problem_message("gate_comments_answered:2") == (
            "2 comments still need moderation or an answer."
        )
        assert legality_labels.problem_message("gate_feedback_published") == "The feedback is not published yet."


def _approve(client, comments, headers=EN):
    data = {"comment": [str(comment.id) for comment in comments], "action": "approve"}
    return client.post("/manage/moderation/act", data=data, headers=headers, follow_redirects=True).text


@pytest.mark.usefixtures("known_holiday_calendars")
def test_the_moderator_reads_one_comment_and_two_comments(client, auth):
    consultation = make_consultation(make_department(), comment_display=CommentDisplay.APPROVED_MASKED)
    comments = [add_comment(consultation, f"建议{n}。", name=f"居民{n}") for n in range(5)]
    db.session.commit()
    auth.login_as(Role.MODERATOR)
    assert "5 comments are waiting for moderation." in client.get("/manage/", headers=EN).text
    assert "Done for 1 comment." in _approve(client, comments[:1])
    assert "Done for 2 comments." in _approve(client, comments[1:3])
    assert "已处理1条意见。" in _approve(client, comments[3:4], headers={})
    assert "1 comment is waiting for moderation." in client.get("/manage/", headers=EN).text
