"""Bulk approval of a batch holding flagged spam asks first, naming the flagged comments; refusals name the cause."""

from __future__ import annotations

import re

import pytest

from consultation.comments import moderation
from consultation.models import Comment, ConsultationStatus, ModerationStatus
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
SPAM = "360足球直播_365体育投注-平台官网，注册就送彩金"


@pytest.fixture
def batch(app):
    consultation = make_consultation(make_department())
    comments = [add_comment(consultation, "建议增加充电桩数量。", name="王五"),
                add_comment(consultation, SPAM, name="广告"),
                add_comment(consultation, "建议夜间也巡查。", name="赵六")]  # fmt: skip
    db.session.commit()
    return comments


def _statuses(comments):
    db.session.expire_all()
    return [db.session.get(Comment, comment.id).moderation_status for comment in comments]


def _hidden(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="(\d+)"', page)


def test_bulk_approval_with_flagged_spam_asks_first_naming_it(client, auth, batch):
    clean, spam, other = batch
    auth.login_as(Role.MODERATOR)
    data = {"action": "approve", "comment": [str(c.id) for c in batch]}
    page = client.post("/manage/moderation/act", data=data, headers=EN)
    assert page.status_code == 200 and _statuses(batch) == [ModerationStatus.PENDING] * 3
    flagged = page.text.split('id="flagged-comments"')[1].split("</ol>")[0]
    assert spam.receipt_number in flagged and 'class="badge flag"' in flagged
    assert clean.receipt_number not in flagged and other.receipt_number not in flagged
    everything = page.text.split('id="approve-all"')[1].split("</form>")[0]
    assert sorted(_hidden(everything, "comment")) == sorted(str(c.id) for c in batch)
    assert _hidden(everything, "confirmed") == [str(spam.id)]
    confirmed = {**data, "confirmed": [str(spam.id)]}
    assert client.post("/manage/moderation/act", data=confirmed).status_code == 302
    assert _statuses(batch) == [ModerationStatus.APPROVED] * 3


def test_the_moderator_can_approve_only_the_others(client, auth, batch):
    clean, _spam, other = batch
    auth.login_as(Role.MODERATOR)
    data = {"action": "approve", "comment": [str(c.id) for c in batch]}
    page = client.post("/manage/moderation/act", data=data)
    others = page.text.split('id="approve-others"')[1].split("</form>")[0]
    assert sorted(_hidden(others, "comment")) == sorted([str(clean.id), str(other.id)])
    client.post("/manage/moderation/act", data={"action": "approve", "comment": _hidden(others, "comment")})
    assert _statuses(batch) == [ModerationStatus.APPROVED, ModerationStatus.PENDING, ModerationStatus.APPROVED]


def test_a_confirmation_covers_only_the_comments_it_named(batch):
    clean, spam, _other = batch
    later = add_comment(clean.consultation, "加微信 bet365kf，日赚千元", name="又一个广告")
    with pytest.raises(moderation.ConfirmationNeeded) as refused:
        moderation.approve([*batch, later], make_user(Role.MODERATOR), confirmed={spam.id})
    assert refused.value.culprits == [later]


def test_a_refused_batch_names_the_comment_that_caused_it(client, auth, batch):
    settled = make_consultation(make_department(), phase="closed", status=ConsultationStatus.FEEDBACK_PUBLISHED)
    late = add_comment(settled, "建议增加充电桩。", name="钱七")
    db.session.commit()
    auth.login_as(Role.MODERATOR)
    data = {"action": "reject", "reason": "irrelevant", "comment": [str(batch[0].id), str(late.id)]}
    client.post("/manage/moderation/act", data=data)
    queue = client.get("/manage/moderation/", headers=EN).text
    error = queue.split("flash-error")[1].split("</")[0]
    assert late.receipt_number in error and batch[0].receipt_number not in error
    assert _statuses([batch[0], late]) == [ModerationStatus.PENDING] * 2
