"""A comment is stored exactly once, even when its form arrives twice at once or its receipt number is taken."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consultation.comments import commenting
from consultation.comments.commenting import CommentInput
from consultation.models import Comment, ModerationStatus, RespondentType
from core.extensions import db
from tests.consultation.conftest import make_consultation
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


def _input(text: str = "建议增加夜间巡查。") -> CommentInput:
    return CommentInput(
        content=text, respondent_type=RespondentType.INDIVIDUAL, author_name="张三", email="z@example.cn"
    )


def _stored() -> list[Comment]:
    return list(db.session.scalars(db.select(Comment)))


def test_the_same_form_arriving_twice_at_once_is_stored_once_and_both_get_its_receipt(app) -> None:
    consultation = make_consultation(make_department())
    first, created = commenting.submit_online_comment(consultation, _input(), "k" * 32)
    # The second request found the key unused a moment before the first one stored it (key_checked).
    second, created_again = commenting.submit_online_comment(consultation, _input(), "k" * 32, key_checked=True)
    assert (created, created_again) == (True, False)
    assert second.id == first.id and second.receipt_number == first.receipt_number
    assert len(_stored()) == 1


def test_a_receipt_number_already_given_is_drawn_again_and_the_comment_kept(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    consultation = make_consultation(make_department())
    taken, _ = commenting.submit_online_comment(consultation, _input("第一条意见。"), "a" * 32)
    numbers: Iterator[str] = iter([taken.receipt_number, "ZQ20261205-KMQ3XA"])
    monkeypatch.setattr(commenting, "new_receipt_number", lambda _now: next(numbers))
    comment, created = commenting.submit_online_comment(consultation, _input("第二条意见。"), "b" * 32)
    assert created and comment.receipt_number == "ZQ20261205-KMQ3XA"
    db.session.commit()
    db.session.expire_all()
    assert sorted(c.content for c in _stored()) == ["第一条意见。", "第二条意见。"]
    # What the insert filled by default reads as stored.
    assert comment.moderation_status is ModerationStatus.PENDING and comment.created_at is not None
