"""Published comments on the public pages: the newest on the notice, all of them a page at a time, never contacts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from consultation.comments import moderation, views
from consultation.drafting import notice
from consultation.models import CommentDisplay
from core.db import utcnow
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
TOPICS = ["充电桩", "停车棚", "消防通道", "物业费", "巡查记录", "老旧小区", "飞线充电", "电瓶回收", "夜间噪声"]


@pytest.fixture
def consultation(app):
    return make_consultation(make_department(), comment_display=CommentDisplay.APPROVED_MASKED)


def _published(consultation, count: int) -> list:
    """`count` distinct approved comments, one a minute, each with a phone number in its text."""
    start = utcnow() - timedelta(hours=count)
    comments = [
        add_comment(
            consultation,
            f"第{n}号意见：关于{TOPICS[n % len(TOPICS)]}的建议编号{n * 7919}，联系我13904135{n:03d}。",
            name=f"张晓{n:03d}",
            received_at=start + timedelta(minutes=n),
        )
        for n in range(count)
    ]
    moderation.approve(comments, make_user(Role.MODERATOR))
    db.session.commit()
    return comments


def test_the_notice_shows_the_newest_comments_and_links_to_all_of_them(client, consultation):
    _published(consultation, notice.NEWEST_COMMENTS_ON_NOTICE + 5)
    page = client.get(f"/consultations/{consultation.id}", headers=EN).text
    shown = page.partition('class="public-comments"')[2].partition("</ul>")[0]
    assert shown.count("<li>") == notice.NEWEST_COMMENTS_ON_NOTICE
    assert f"第{notice.NEWEST_COMMENTS_ON_NOTICE + 4}号意见" in shown and "第0号意见" not in shown  # newest first
    assert f"All {notice.NEWEST_COMMENTS_ON_NOTICE + 5} published comments" in page
    assert "13904135" not in page


def test_every_published_comment_is_on_the_paged_list_once_without_contacts(client, consultation, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_COMMENTS_PER_PAGE", 4)
    _published(consultation, 10)
    seen, address = [], f"/consultations/{consultation.id}/comments"
    while address:
        page = client.get(address, headers=EN)
        assert page.status_code == 200
        seen += [int(n) for n in re.findall(r"第(\d+)号意见", page.text)]
        assert "13904135" not in page.text and "张晓0" not in page.text
        next_link = re.search(r'href="([^"]+)" rel="next"', page.text)
        address = next_link.group(1).replace("&amp;", "&") if next_link else None
    assert seen == list(range(10))


def test_comments_are_not_listed_when_the_department_does_not_publish_them(client, app):
    hidden = make_consultation(make_department(), comment_display=CommentDisplay.HIDDEN)
    _published(hidden, 2)
    assert client.get(f"/consultations/{hidden.id}/comments").status_code == 404
    assert "第0号意见" not in client.get(f"/consultations/{hidden.id}").text
