"""Site search in a real browser: a resident on a phone finds a notice by a word of its draft and opens it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.extensions import db
from tests.consultation.conftest import known_holiday_calendars, make_consultation  # noqa: F401
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
SEED_NOTICE = Path(__file__).resolve().parents[2] / "consultation" / "demo" / "seed-notice.txt"


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_resident_on_a_phone_searches_a_word_of_the_draft_and_opens_the_notice(live_server, phone, shot):
    notice = make_consultation(
        make_department(name="区政府办公室"),
        title="《东洲区持续深化政务公开做好当前重点工作的任务分解（征求意见稿）》",
        draft=SEED_NOTICE.read_text(encoding="utf-8"),
    )
    make_consultation(make_department(name="区住建局"))  # another notice, without the word
    db.session.commit()

    phone.goto(live_server.url + "/")
    phone.click("nav.site-nav a[href='/search']")
    expect(phone).to_have_url(live_server.url + "/search")
    _fits(phone)
    phone.fill("#search-q", "发文审核单")
    phone.click("form.search-form button[type=submit]")
    results = phone.locator(".search-hit")
    expect(results).to_have_count(1)
    expect(results.locator("mark").first).to_have_text("发文审核单")
    _fits(phone)
    shot(phone, "results")

    results.locator("h3 a").click()
    expect(phone).to_have_url(live_server.url + f"/consultations/{notice.id}")
    expect(phone.locator("h1")).to_contain_text("任务分解")
    shot(phone, "notice")
