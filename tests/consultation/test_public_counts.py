"""Public numbers count what the public can see: comments approved as valid, never pending ones or rejected spam."""

from __future__ import annotations

import re

import pytest

from consultation.comments import moderation
from consultation.handling import feedback
from consultation.models import CommentDisplay, RejectionReason
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
SPAM = "360足球直播_365体育投注-平台官网，注册就送彩金，加微信 vx: bet365kf 详询"


@pytest.fixture
def consultation(app):
    """One person approved twice, one comment awaiting moderation and the gambling spam rejected."""
    consultation = make_consultation(make_department(), comment_display=CommentDisplay.APPROVED_MASKED)
    moderator = make_user(Role.MODERATOR)
    approved = [add_comment(consultation, "第三条巡查太频繁。", name="张三", unit_key="a3"),
                add_comment(consultation, "第一条赞成。", name="张三", unit_key="a1")]  # fmt: skip
    add_comment(consultation, "第三条建议每周一次。", name="李四", unit_key="a3")
    spam = add_comment(consultation, SPAM, name="张伟", unit_key=None)
    moderation.approve(approved, moderator)
    moderation.reject([spam], RejectionReason.SPAM, moderator)
    db.session.commit()
    return consultation


def _counter(page: str, label: str) -> int:
    return int(re.search(rf"<strong>(\d+)</strong> {label}s?\b", page).group(1))


def test_the_notice_counts_only_approved_comments_and_their_authors(client, consultation):
    page = client.get(f"/consultations/{consultation.id}", headers=EN).text
    assert (_counter(page, "participant"), _counter(page, "comment")) == (1, 2)
    per_unit = [int(n) for n in re.findall(r'class="unit-count">(\d+) comments?', page)]
    assert sum(per_unit) == 2 and max(per_unit) == 1  # a1 and a3; not 李四's pending one on a3
    assert re.search(r"0 comments? on the whole draft", page)  # the rejected spam was on the whole draft


def test_the_api_counts_what_the_notice_counts(client, consultation):
    notice = client.get(f"/api/v1/consultations/{consultation.id}").get_json()
    assert notice["comments"]["total"] == 2 and notice["comments"]["participants"] == 1
    assert notice["comments"]["by_unit"] == [{"unit_key": "a1", "count": 1}, {"unit_key": "a3", "count": 1}]


def test_the_feedback_statistics_keep_the_full_breakdown(consultation):
    stats = feedback.statistics(consultation)
    assert (stats.received, stats.valid, stats.pending, stats.rejected) == (4, 2, 1, 1)
    assert stats.rejected_by_reason == {RejectionReason.SPAM: 1} and stats.participants == 3
