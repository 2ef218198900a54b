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
    # The navigation may fold into a menu on a phone; the link is there either way.
    expect(phone.locator("nav.site-nav a[href='/search']").first).to_be_attached()
    phone.goto(live_server.url + "/search")
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


CHARGING = "第一条 新建住宅小区应当配建充电设施。\n\n第二条 充电设施的安装费用由建设单位承担。\n"


def _filter_search(page, base: str, words: str, **choices: str) -> None:
    page.goto(base + "/search")
    page.fill("#search-q", words)
    for name, label in choices.items():
        page.select_option(f"#search-{name}", label=label)
    page.click("form.search-form button[type=submit]")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_resident_searches_an_everyday_word_and_narrows_by_department_and_type(live_server, request, shot, size):
    page = request.getfixturevalue(size)
    housing, education = make_department(name="区住建局"), make_department(name="区教育局")
    title = "《东洲区充电设施建设管理办法》"
    wanted = make_consultation(housing, title=title, draft=CHARGING, doc_type="normative_doc")
    make_consultation(education, title="《校园充电设施安全规定》", draft=CHARGING)
    db.session.commit()

    _filter_search(page, live_server.url, "充电桩")  # the drafts say 充电设施
    expect(page.locator(".search-hit")).to_have_count(2)
    _filter_search(page, live_server.url, "充电桩", department="区住建局", doc_type="行政规范性文件")
    results = page.locator(".search-hit")
    expect(results).to_have_count(1)
    expect(results.locator("h3 a")).to_have_attribute("href", f"/consultations/{wanted.id}")
    expect(results.locator("mark").first).to_have_text("充电设施")
    expect(page.locator("#search-department")).to_have_value(str(housing.id))  # the choice stays shown
    _fits(page)
    shot(page, f"filtered-{size}")


def test_a_typo_gets_a_did_you_mean_link_that_finds_the_notice(live_server, phone, shot):
    make_consultation(make_department(name="区住建局"), title="《东洲区充电桩建设办法》", draft=CHARGING)
    db.session.commit()
    _filter_search(phone, live_server.url, "冲电桩")
    expect(phone.locator(".search-hit")).to_have_count(0)
    suggestion = phone.locator(".search-suggestion a")
    expect(suggestion).to_have_text("充电桩")
    _fits(phone)
    shot(phone, "did-you-mean")
    suggestion.click()
    expect(phone.locator(".search-hit")).to_have_count(1)


def test_an_admin_adds_a_synonym_group_and_a_resident_finds_the_notice_by_it(live_server, desktop, phone, shot):
    from tests.factories import DEFAULT_PASSWORD, make_user

    notice = make_consultation(make_department(), title="《东洲区适老化改造实施办法》", draft=CHARGING)
    make_user("admin", email="admin@example.cn")
    db.session.commit()
    url = live_server.url
    desktop.goto(url + "/login")
    desktop.fill("#email", "admin@example.cn")
    desktop.fill("#password", DEFAULT_PASSWORD)
    desktop.click("main form button[type=submit]")
    expect(desktop).to_have_url(url + "/manage/")
    desktop.click("a[href='/admin/synonyms/']")  # the staff dashboard links the page
    expect(desktop.locator(".synonym-groups")).to_contain_text("电动自行车")  # the shipped list
    desktop.fill("#groups", "银发改造，适老化改造")
    desktop.click("main form button[type=submit]")
    expect(desktop.locator(".synonym-groups")).to_contain_text("银发改造，适老化改造")
    shot(desktop, "synonyms")

    _filter_search(phone, url, "银发改造")
    results = phone.locator(".search-hit")
    expect(results).to_have_count(1)
    expect(results.locator("h3 a")).to_have_attribute("href", f"/consultations/{notice.id}")
    expect(results.locator("mark").first).to_have_text("适老化改造")
