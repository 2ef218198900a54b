"""Atom feeds of consultations and feedback: well-formed, newest first, only what is public, linked from the lists."""

from __future__ import annotations

import pytest

from consultation.models import ConsultationStatus
from core.extensions import db
from tests.atom import ATOM, parse_feed
from tests.consultation.conftest import days_from_now, make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.consultation.opendata_helpers import publish_feedback
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


def test_lists_announce_their_feeds_in_the_head_and_on_the_page(client) -> None:
    for page, feed in (("/consultations/", "/consultations/feed.atom"),
                       ("/consultations/feedback", "/consultations/feedback/feed.atom"),
                       ("/surveys/", "/surveys/feed.atom")):  # fmt: skip
        html = client.get(page).get_data(as_text=True)
        assert '<link rel="alternate" type="application/atom+xml"' in html, page
        assert html.count(f'href="{feed}"') == 2, page  # the <link> in the head and the visible link
