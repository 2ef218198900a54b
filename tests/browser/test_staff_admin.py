"""The portal office's pages and a staff member's own account in a real browser, on a desktop and a phone."""

from __future__ import annotations

import pyotp
from playwright.sync_api import expect

from core.extensions import db
from core.models import User
from tests.factories import DEFAULT_PASSWORD, holiday_notice, make_user


def _log_in(page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.fill("#email", email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(url + "/manage/")


def test_admin_adds_a_department_enters_a_holiday_year_and_adds_spam_words(live_server, desktop, shot) -> None:
    make_user("admin", email="admin@example.cn")
    db.session.commit()
    url = live_server.url
    _log_in(desktop, url, "admin@example.cn")

    desktop.goto(url + "/admin/departments/new")
    desktop.fill("#code", "sports")
    desktop.fill("#name", "区体育局")
    desktop.fill("#office_phone", "call us")  # refused, and what was typed stays
    desktop.click("main form button[type=submit]")
    expect(desktop.locator(".error-summary")).to_be_visible()
    assert desktop.input_value("#name") == "区体育局"
    desktop.fill("#office_phone", "024-56621234")
    desktop.click("main form button[type=submit]")
    expect(desktop).to_have_url(url + "/admin/departments")
    desktop.goto(url + "/departments")
    expect(desktop.locator("#dept-sports")).to_contain_text("024-56621234")

    desktop.goto(url + "/admin/calendar/")
    desktop.fill("#year", "2027")
    desktop.fill("#days", holiday_notice(2027, "2027-10-09 上班"))
    desktop.click("main form button[type=submit]")
    expect(desktop.locator("table")).to_contain_text("2027")
    shot(desktop, "calendar")

    desktop.goto(url + "/admin/words/")
    desktop.fill("#category", "gambling")
    desktop.fill("#words", "澳门赌场新开\n线上百家乐")
    desktop.click("main form button[type=submit]")
    expect(desktop.locator("main")).to_contain_text("线上百家乐")
    shot(desktop, "words")

    desktop.goto(url + "/admin/audit")
    for action in ("department.create", "calendar.replace_year", "auth.login"):
        expect(desktop.locator("table.audit")).to_contain_text(action)


def test_staff_member_turns_on_the_second_factor_on_a_phone_and_needs_it_at_login(live_server, phone, shot) -> None:
    make_user("moderator", email="mod@example.cn")
    db.session.commit()
    url = live_server.url
    _log_in(phone, url, "mod@example.cn")
    phone.goto(url + "/account/second-factor")
    expect(phone.locator(".qr svg")).to_be_visible()
    secret = phone.inner_text("code.secret").strip()
    phone.fill("#code", pyotp.TOTP(secret).now())
    phone.click("main form button[type=submit]")
    expect(phone).to_have_url(url + "/account/")
    shot(phone, "second-factor-on")
    with live_server.app.app_context():
        assert db.session.scalar(db.select(User.totp_secret).where(User.email == "mod@example.cn")) == secret

    phone.locator("header form.inline-form button").click()  # log out
    phone.goto(url + "/login")
    phone.fill("#email", "mod@example.cn")
    phone.fill("#password", DEFAULT_PASSWORD)
    phone.click("main form button[type=submit]")
    expect(phone).to_have_url(url + "/login/second-factor")
    phone.fill("#code", pyotp.TOTP(secret).now())
    phone.click("main form button[type=submit]")
    expect(phone).to_have_url(url + "/manage/")
