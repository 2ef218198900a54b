"""The demo site in a real browser, as a person first meets it: the whole open draft, counters that leave out spam,
a receipt that says what happened, a moderator asked before approving spam, and no page that scrolls sideways on a
360 px phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from consultation import demo
from consultation.comments import commenting
from consultation.handling import feedback
from consultation.models import Comment, Consultation, ModerationStatus
from core import demo as core_demo
from core.extensions import db
from surveys.models import Survey
from tests.browser.conftest import _page
from tests.consultation.conftest import known_holiday_calendars  # noqa: F401
from tests.consultation.handling_helpers import add_comment

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")

NARROW = {"width": 360, "height": 740}
SPAM = "360足球直播_365体育投注-平台官网，注册就送彩金，加微信 vx: bet365kf"


@pytest.fixture
def site(app: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    """`flask demo load` on the test database (its passwords kept in tmp_path, not in instance/)."""
    monkeypatch.setattr(core_demo, "_password_file", lambda: tmp_path / "demo-accounts.txt")
    list(core_demo.load())
    ids = {
        key: db.session.scalar(db.select(Consultation.id).where(Consultation.title == title))
        for key, title in (("open", demo.OPEN_TITLE), ("closed", demo.CLOSED_TITLE), ("awaiting", demo.AWAITING_TITLE))
    }
    ids["survey"] = db.session.scalar(db.select(Survey.id))
    return {"url": live_server.url, "ids": ids, "passwords": core_demo._read_known_passwords()}


@pytest.fixture
def narrow(browser: Any) -> Iterator[Any]:
    """The narrowest phone in common use in China (360 px CSS width)."""
    yield from _page(browser, NARROW, mobile=True)


def _log_in(page: Any, site: dict[str, Any], email: str) -> None:
    page.goto(site["url"] + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", site["passwords"][email])
    page.click("main form button[type=submit]")
    page.wait_for_url("**/manage/")


def _sideways(page: Any) -> int:
    """How many pixels the page is wider than the screen (0: it does not scroll sideways)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth - window.innerWidth,"
        " document.documentElement.scrollWidth - screen.width, 0)"
    )


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_open_demo_notice_shows_every_part_and_counts_no_spam(site, device, request, shot):
    page = request.getfixturevalue(device)
    page.goto(f"{site['url']}/consultations/{site['ids']['open']}")
    for heading in ("规范管理,加大政策文件公开力度", "持续改进作风,切实抓好各项工作落实到位"):
        assert page.get_by_text(heading).first.is_visible()
    assert "深入落实《政策文件解读工作规范(试行)》" in page.content()
    shot(page, "whole-draft")
    closed = db.session.get(Consultation, site["ids"]["closed"])
    counts, stats = commenting.public_counts(closed), feedback.statistics(closed)
    page.goto(f"{site['url']}/consultations/{closed.id}")
    counters = page.locator("ul.counters strong").all_inner_texts()
    assert counters == [str(counts.participants), str(counts.comments)] and stats.rejected > 0
    assert counts.comments == stats.received - stats.rejected - stats.pending
    shot(page, "closed-counters")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_resident_without_contact_gets_a_truthful_receipt_and_looks_it_up_by_number(site, device, request, shot):
    page = request.getfixturevalue(device)
    page.goto(f"{site['url']}/consultations/{site['ids']['open']}/comment")
    page.fill("#author_name", "居民甲")
    page.fill("#content", "建议把政策解读同步发布到政务新媒体。")
    page.check("#privacy_ack")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".receipt-number")
    how = page.locator("#lookup-how").inner_text()
    assert "回执编号" in how and "您没有留下电话或电子邮箱" in how
    assert page.locator("#receipt-mail").count() == 0  # no e-mail given, so nothing is said about one
    shot(page, "receipt")
    receipt = page.locator(".receipt-number").inner_text().strip()
    page.goto(site["url"] + "/consultations/receipt")
    page.fill("#receipt", receipt.lower())
    page.click("main form button[type=submit]")
    page.wait_for_selector(".lookup-status")
    assert page.locator(".lookup-status").inner_text().strip()  # received, awaiting moderation
    assert "政务新媒体" not in page.locator("main").inner_text()  # the status, never the text
    assert page.locator("#status-only").is_visible()
    shot(page, "lookup-by-number")


def test_the_receipt_page_says_no_e_mail_was_sent_without_a_mail_server(site, live_server, phone, shot):
    live_server.app.config.update(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="")
    phone.goto(f"{site['url']}/consultations/{site['ids']['open']}/comment")
    phone.fill("#author_name", "居民乙")
    phone.fill("#email", "yi@example.cn")
    phone.fill("#content", "建议公开政务新媒体的留言办理情况。")
    phone.check("#privacy_ack")
    phone.click("main form button[type=submit]")
    phone.wait_for_selector(".receipt-number")
    assert "未配置邮件服务器" in phone.locator("#receipt-mail").inner_text()
    assert "已发送" not in phone.locator(".receipt").inner_text()
    shot(phone, "receipt-no-mail-server")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_moderator_is_asked_before_approving_spam_in_bulk(site, device, request, shot):
    page = request.getfixturevalue(device)
    notice = db.session.get(Consultation, site["ids"]["open"])
    spam = add_comment(notice, SPAM, name="推广员", unit_key=None)
    clean = add_comment(notice, "建议细化第一部分的完成时限。", name="居民丙", unit_key="p1-n1")
    db.session.commit()
    _log_in(page, site, "moderator@demo.minyi.cn")
    page.goto(f"{site['url']}/manage/moderation/?consultation={notice.id}")
    page.check(f"#comment-{spam.id} input[name=comment]")
    page.check(f"#comment-{clean.id} input[name=comment]")
    page.select_option("#action", "approve")
    page.click("#moderate-submit")
    page.wait_for_selector("#flagged-comments")
    assert spam.receipt_number in page.locator("#flagged-comments").inner_text()
    assert clean.receipt_number not in page.locator("#flagged-comments").inner_text()
    assert _sideways(page) == 0
    shot(page, "confirm-flagged")
    page.click("#approve-others button")
    page.wait_for_selector(".flash-success")
    db.session.expire_all()
    statuses = dict(db.session.execute(db.select(Comment.id, Comment.moderation_status)).all())
    assert (statuses[spam.id], statuses[clean.id]) == (ModerationStatus.PENDING, ModerationStatus.APPROVED)


def test_no_page_scrolls_sideways_on_a_360_px_phone(site, narrow, shot):
    ids, url = site["ids"], site["url"]
    public = [
        "/",
        "/consultations/",
        "/consultations/feedback",
        f"/consultations/{ids['open']}",
        f"/consultations/{ids['open']}/comment",
        f"/consultations/{ids['closed']}",
        f"/consultations/{ids['closed']}/feedback",
        "/consultations/receipt",
        "/departments",
        "/privacy",
        "/surveys/",
        f"/surveys/{ids['survey']}",
        "/search?q=电动自行车",
        "/verify",
        "/login",
    ]
    staff = {
        "moderator@demo.minyi.cn": ["/manage/", "/manage/moderation/?state=all"],
        "editor@demo.minyi.cn": [
            "/manage/",
            "/manage/consultations/",
            f"/manage/consultations/{ids['awaiting']}",
            f"/manage/consultations/{ids['awaiting']}/answers",
            f"/manage/consultations/{ids['awaiting']}/feedback",
            "/manage/surveys/",
            f"/manage/surveys/{ids['survey']}/results",
        ],
        "reviewer@demo.minyi.cn": ["/manage/", "/manage/review/"],
        "admin@demo.minyi.cn": ["/admin/departments", "/admin/users", "/admin/audit", "/admin/words/"],
    }
    too_wide = {}
    for path in public:
        too_wide |= _check(narrow, url + path, shot)
    narrow.goto(url + "/departments")  # where long e-mail addresses used to push the page sideways
    shot(narrow, "departments")
    for email, paths in staff.items():
        narrow.context.clear_cookies()
        _log_in(narrow, site, email)
        for path in paths:
            too_wide |= _check(narrow, url + path, shot)
    assert too_wide == {}


def _check(page: Any, address: str, shot: Any) -> dict[str, int]:
    response = page.goto(address)
    assert response is not None and response.status == 200, address
    excess = _sideways(page)
    if excess:
        shot(page, address.split("/", 3)[-1].replace("/", "_").replace("?", "_") or "home")
    return {address: excess} if excess else {}
