"""Atom feeds of consultations and feedback: well-formed, newest first, only what is public, linked from the lists."""

from __future__ import annotations

import pytest

from consultation.comments.commenting import CommentInput
from consultation.models import Channel, ConsultationStatus, RespondentType
from core.extensions import db
from tests.atom import ATOM, parse_feed
from tests.consultation.conftest import days_from_now, make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.consultation.opendata_helpers import publish_addendum, publish_feedback
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


def test_consultation_feed_lists_opened_consultations_newest_first(client) -> None:
    housing = make_department(name="区住建局")
    older = make_consultation(housing, phase="closed", title="去年的办法")
    newer = make_consultation(housing, phase="open", title="新的办法")
    make_consultation(housing, phase="upcoming", title="尚未开始的办法")
    make_consultation(housing, status=ConsultationStatus.DRAFT, title="草稿中的办法", start_at=days_from_now(-1))
    db.session.commit()
    feed, entries = parse_feed(client.get("/consultations/feed.atom"))
    assert [entry["title"] for entry in entries] == ["新的办法", "去年的办法"]
    assert entries[0]["link"] == f"http://localhost/consultations/{newer.id}"
    assert entries[1]["link"] == f"http://localhost/consultations/{older.id}"
    assert entries[0]["author"] == "区住建局"
    assert "重大行政决策" in entries[0]["summary"]
    self_link = [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link == ["http://localhost/consultations/feed.atom"]
    assert feed.findtext(f"{ATOM}updated") == entries[0]["updated"]


def test_feedback_feed_holds_feedback_once_published(client) -> None:
    housing = make_department(name="区住建局")
    consultation = make_consultation(housing, phase="closed", title="充电管理办法")
    comment = add_comment(consultation, "建议改为每周巡查。")
    db.session.commit()
    assert parse_feed(client.get("/consultations/feedback/feed.atom"))[1] == []
    publish_feedback(consultation, [comment], main_changes="第三条改为每周巡查。")
    db.session.commit()
    _feed, entries = parse_feed(client.get("/consultations/feedback/feed.atom", headers={"Accept-Language": "en"}))
    assert [entry["link"] for entry in entries] == [f"http://localhost/consultations/{consultation.id}/feedback"]
    assert "充电管理办法" in entries[0]["title"]
    assert "第三条改为每周巡查。" in entries[0]["summary"]


def test_an_addendum_to_the_feedback_is_an_entry_of_its_own_with_names_masked(client) -> None:
    housing = make_department(name="区住建局")
    consultation = make_consultation(housing, phase="closed", title="充电管理办法")
    publish_feedback(consultation, [add_comment(consultation, "建议改为每周巡查。")])
    db.session.commit()
    letter = CommentInput("信件：建议增设充电车棚。", RespondentType.INDIVIDUAL, author_name="赵建华",
                          channel=Channel.LETTER, email="zhaojh@example.com")  # fmt: skip
    publish_addendum(consultation, letter, note="该信件于截止日前寄出。")
    db.session.commit()
    response = client.get("/consultations/feedback/feed.atom")
    _feed, entries = parse_feed(response)
    feedback_page = f"http://localhost/consultations/{consultation.id}/feedback"
    assert [entry["link"].partition("#")[0] for entry in entries] == [feedback_page, feedback_page]
    addendum = entries[0]  # the newest first
    assert addendum["link"].startswith(feedback_page + "#addendum-") and addendum["id"] == addendum["link"]
    assert addendum["title"] == "补充反馈：充电管理办法"
    summary = "答复结果反馈发布后收到的意见1条。 该信件于截止日前寄出。 赵*华: 信件：建议增设充电车棚。"
    assert addendum["summary"].startswith(summary)
    assert "将在实施细则中统筹考虑。" in addendum["summary"]
    body = response.get_data(as_text=True)
    assert "赵建华" not in body and "zhaojh@example.com" not in body
    anchor = addendum["link"].partition("#")[2]
    assert f'id="{anchor}"' in client.get(f"/consultations/{consultation.id}/feedback").get_data(as_text=True)


def test_lists_announce_their_feeds_in_the_head_and_on_the_page(client) -> None:
    for page, feed in (("/consultations/", "/consultations/feed.atom"),
                       ("/consultations/feedback", "/consultations/feedback/feed.atom"),
                       ("/surveys/", "/surveys/feed.atom")):  # fmt: skip
        html = client.get(page).get_data(as_text=True)
        assert '<link rel="alternate" type="application/atom+xml"' in html, page
        assert html.count(f'href="{feed}"') == 2, page  # the <link> in the head and the visible link
