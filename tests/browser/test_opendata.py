"""Open data on a phone: the consultations list offers its Atom feed, and following the link gives Atom XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import expect

from core.extensions import db
from tests.atom import ATOM
from tests.consultation.conftest import known_holiday_calendars, make_consultation  # noqa: F401
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


def test_the_consultations_list_offers_its_atom_feed_on_a_phone(live_server, phone, shot) -> None:
    consultation = make_consultation(make_department(name="区住建局"), phase="open", title="电动自行车充电管理办法")
    db.session.commit()
    phone.goto(live_server.url + "/consultations/")
    link = phone.locator("p.feed-link a")
    expect(link).to_be_visible()
    expect(link).to_contain_text("Atom")  # 订阅 (Atom)
    head_link = phone.locator('head link[rel="alternate"][type="application/atom+xml"]')
    expect(head_link).to_have_attribute("href", "/consultations/feed.atom")
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.viewport_size["width"]
    shot(phone, "list")
    # Follow the link as a feed reader would (the browser itself would offer the XML as a download).
    response = phone.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.body())  # noqa: S314 - the site's own output, in a test
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["电动自行车充电管理办法"]
    href = entries[0].find(f"{ATOM}link").get("href")
    assert href == f"{live_server.url}/consultations/{consultation.id}"
    phone.goto(href)
    expect(phone.locator("h1")).to_have_text("电动自行车充电管理办法")
