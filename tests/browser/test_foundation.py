"""The site's frame in a real browser: home page on a phone, staff login and logout, the language switch."""

from __future__ import annotations

from playwright.sync_api import expect

from core.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_department, make_user


def test_home_page_on_a_phone_is_chinese_and_fits_the_screen(live_server, phone, shot) -> None:
    make_department("education", name="区教育局")
    db.session.commit()
    phone.goto(live_server.url + "/")
    assert phone.locator("html").get_attribute("lang") == "zh-CN"
    expect(phone.get_by_role("link", name="部门联系方式").first).to_be_visible()
    # Nothing sticks out sideways on a 390 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "home")
    phone.get_by_role("link", name="部门联系方式").first.click()
    expect(phone.locator("main")).to_contain_text("区教育局")  # waits for the page the click opens
    shot(phone, "departments")


def test_skip_link_is_first_in_keyboard_order(live_server, desktop) -> None:
    desktop.goto(live_server.url + "/")
    desktop.keyboard.press("Tab")
    focused = desktop.evaluate("document.activeElement.textContent")
    assert focused.strip() == "跳到主要内容"


def test_staff_login_and_logout(live_server, desktop, shot) -> None:
    make_user("moderator", email="mod@example.cn")
    db.session.commit()
    desktop.goto(live_server.url + "/manage/")
    assert "/login" in desktop.url
    desktop.get_by_label("电子邮箱").fill("mod@example.cn")
    desktop.get_by_label("密码").fill("wrong password")
    desktop.get_by_role("button", name="登录").click()
    expect(desktop.get_by_text("邮箱或密码不正确")).to_be_visible()
    assert desktop.get_by_label("电子邮箱").input_value() == "mod@example.cn"
    shot(desktop, "login-error")
    desktop.get_by_label("密码").fill(DEFAULT_PASSWORD)
    desktop.get_by_role("button", name="登录").click()
    desktop.wait_for_url("**/manage/")
    expect(desktop.get_by_role("heading", name="工作台")).to_be_visible()
    shot(desktop, "dashboard")
    desktop.get_by_role("button", name="退出登录").click()
    expect(desktop.get_by_text("您已退出登录")).to_be_visible()
    desktop.goto(live_server.url + "/manage/")
    assert "/login" in desktop.url


def test_language_switch_to_english_and_back(live_server, phone, shot) -> None:
    phone.goto(live_server.url + "/departments")
    phone.get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.url.endswith("/departments")
    expect(phone.get_by_role("heading", name="Department contacts")).to_be_visible()
    shot(phone, "english")
    phone.get_by_role("button", name="中文").click()
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
