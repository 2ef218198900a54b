"""The portal for everyone, in a real browser on the demo site: the 长辈版 switched on and off by a link with
JavaScript disabled, the phone menu in one row, keyboard use with a visible focus ring, the breadcrumb and the
contents of a long draft. It also takes the screenshots in docs/screenshots/ (home page, a draft, the comment form,
a feedback page; 360 px phone, standard and 长辈版) that the README shows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import _page
from tests.browser.test_demo_site import NARROW, site  # noqa: F401 - the demo-site fixture

# The documentation's pictures are rewritten only when asked (MINYI_DOC_SCREENSHOTS=1), so that a test run leaves
# the working tree as it found it; otherwise they go beside the other screenshots of the run.
DOC_SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("MINYI_DOC_SCREENSHOTS")
    else Path(__file__).resolve().parent / "screenshots" / "docs"
)


@pytest.fixture
def no_script(browser: Any):
    """A 360 px phone with JavaScript switched off."""
    context = browser.new_context(viewport=NARROW, is_mobile=True, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def narrow(browser: Any):
    yield from _page(browser, NARROW, mobile=True)


def _body_font_size(page: Any) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")


def test_senior_version_switches_by_link_without_javascript_and_is_remembered(site, no_script) -> None:  # noqa: F811
    page = no_script
    page.goto(f"{site['url']}/consultations/{site['ids']['open']}")
    standard = _body_font_size(page)
    page.get_by_role("link", name="长辈版（大字）").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/consultations/{site['ids']['open']}")  # back on the same page
    assert _body_font_size(page) >= 1.5 * standard
    page.goto(site["url"] + "/surveys/")  # remembered on the next page
    assert page.locator("html").get_attribute("class") == "care"
    page.get_by_role("link", name="标准版").click()
    page.wait_for_load_state()
    assert _body_font_size(page) == standard and page.url.endswith("/surveys/")


def test_phone_menu_takes_one_row_and_opens_without_javascript(site, no_script) -> None:  # noqa: F811
    page = no_script
    page.goto(site["url"] + "/")
    nav = page.locator("#site-nav")
    assert nav.bounding_box()["height"] <= 52  # one row of a 360 px screen
    assert not nav.get_by_role("link", name="问卷调查", exact=True).first.is_visible()
    page.locator(".nav-menu summary").click()
    menu = page.locator(".nav-menu")
    assert menu.get_by_role("link", name="问卷调查").is_visible()
    menu.get_by_role("link", name="结果反馈").click()
    page.wait_for_load_state()
    assert page.url.endswith("/consultations/feedback")


def test_keyboard_reaches_the_menu_with_a_visible_focus_ring(site, narrow) -> None:  # noqa: F811
    page = narrow
    page.goto(site["url"] + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "跳到主要内容"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "跳到栏目导航"
    page.keyboard.press("Enter")
    for _ in range(8):  # through the header's tools to the menu
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"
    page.keyboard.press("Enter")
    assert page.locator(".nav-menu").get_attribute("open") is not None


def test_long_draft_has_contents_and_the_breadcrumb_names_it(site, narrow) -> None:  # noqa: F811
    page = narrow
    page.goto(f"{site['url']}/consultations/{site['ids']['open']}")
    trail = page.locator("nav.breadcrumb li").all_inner_texts()
    assert trail[:2] == ["首页", "意见征集"] and trail[2].startswith("《")
    contents = page.locator("#toc")
    assert contents.is_visible()
    first = contents.locator("a").first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("location.hash") == target
    page.locator(f"{target} .back-to-toc").first.click()
    assert page.evaluate("location.hash") == "#toc"


@pytest.mark.parametrize("mode", ["standard", "care"])
def test_screenshots_for_the_documentation(site, narrow, mode) -> None:  # noqa: F811
    """The pages a resident meets, as docs/screenshots/ shows them; each is checked not to scroll sideways."""
    page = narrow
    if mode == "care":
        page.goto(site["url"] + "/care?mode=on&next=/")
    DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ids = site["ids"]
    for name, path in (
        ("home", "/"),
        ("draft", f"/consultations/{ids['open']}"),
        ("comment-form", f"/consultations/{ids['open']}/comment"),
        ("feedback", f"/consultations/{ids['closed']}/feedback"),
    ):
        page.goto(site["url"] + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"], path
        height = min(page.evaluate("document.documentElement.scrollHeight"), 2200)  # the top of a long page
        page.screenshot(
            path=str(DOC_SCREENSHOTS / f"{name}-{mode}.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": NARROW["width"], "height": height},
        )
