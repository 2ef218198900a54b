"""Accessibility audit of crawled pages in a real browser: axe-core (vendored under tests/, never served), sideways
scrolling at 360 px, and what the 长辈版 does to the text.

One chromium context per role, at a 360 px phone width; each page is opened in Chinese and English, in the
standard and the senior version (the `lang` and `care` cookies the site's own switches set), and checked there.
A page is audited once per kind of address (its path with ids collapsed, tests.live.crawler.url_pattern), by the
first role that reached it: the other pages of that kind render the same template with other values.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.live.crawler import LANGUAGES, CrawledPage, url_pattern

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WIDTH = 360
MODES = ("standard", "care")
# Impacts that fail the audit (axe's own scale: minor, moderate, serious, critical).
FAILING_IMPACTS = ("serious", "critical")
# Measured on each page: how wide the document is, and the size and spacing of the body text.
_MEASURE = """() => {
  const style = getComputedStyle(document.body);
  const size = parseFloat(style.fontSize);
  const line = style.lineHeight === 'normal' ? size * 1.2 : parseFloat(style.lineHeight);
  return {scrollWidth: document.documentElement.scrollWidth, fontSize: size, lineHeight: line / size};
}"""
_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@dataclass
class PageAudit:
    url: str
    role: str
    language: str
    mode: str
    status: int = 0
    violations: list[dict[str, Any]] = field(default_factory=list)
    scroll_width: int = 0
    font_size: float = 0.0
    line_height: float = 0.0  # as a multiple of the font size

    @property
    def failing(self) -> list[dict[str, Any]]:
        return [v for v in self.violations if v["impact"] in FAILING_IMPACTS]

    def describe(self) -> str:
        return f"{self.url} as {self.role} ({self.language}, {self.mode})"


def pages_to_audit(crawled: Iterable[CrawledPage]) -> dict[str, list[str]]:
    """{role: [path]}: each kind of HTML page once, with the first role that reached it (anonymous first)."""
    chosen: dict[str, list[str]] = {}
    seen: set[str] = set()
    for page in crawled:
        if not page.is_html or page.status != 200:
            continue
        # The path with ids collapsed: a list's other pages and filters render the same template.
        kind = url_pattern(urllib.parse.urlsplit(page.url).path)
        if kind in seen:
            continue
        seen.add(kind)
        chosen.setdefault(page.role, []).append(page.url)
    return chosen


def audit_role(
    browser: Any, base_url: str, role: str, paths: list[str], credentials: tuple[str, str] | None
) -> list[PageAudit]:
    """Open every path as `role` in each language and mode, run axe and measure; one browser context throughout."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(20_000)
    page = context.new_page()
    audits = []
    try:
        if credentials is not None:
            _sign_in(page, base_url, *credentials)
        host = urllib.parse.urlsplit(base_url).hostname
        script = AXE.read_text(encoding="utf-8")
        for language in LANGUAGES:
            for mode in MODES:
                cookies = [{"name": "lang", "value": language, "domain": host, "path": "/"}]
                context.clear_cookies(name="care")
                if mode == "care":
                    cookies.append({"name": "care", "value": "on", "domain": host, "path": "/"})
                context.add_cookies(cookies)
                for path in paths:
                    audits.append(_audit(page, base_url + path, role, language, mode, script))
    finally:
        context.close()
    return audits


def _sign_in(page: Any, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert "/login" not in page.url, f"{email} could not sign in"


def _audit(page: Any, url: str, role: str, language: str, mode: str, script: str) -> PageAudit:
    audit = PageAudit(url, role, language, mode)
    response = page.goto(url, wait_until="load")
    audit.status = response.status if response else 0
    # Evaluated through the DevTools protocol, not as a <script>: the site's CSP (no inline script) stays on.
    page.evaluate(script + "\n;0")
    audit.violations = page.evaluate(_RUN_AXE)
    measured = page.evaluate(_MEASURE)
    audit.scroll_width = measured["scrollWidth"]
    audit.font_size = measured["fontSize"]
    audit.line_height = measured["lineHeight"]
    return audit
