"""Every kind of page the crawl reached, opened in chromium at 360 px as the role that reached it, in Chinese and
English, in the standard and the senior version (长辈版): axe-core finds nothing serious or critical, nothing scrolls
sideways, and the senior version really enlarges the text and its spacing."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.conftest import CHROMIUM
from tests.live.accessibility import WIDTH, PageAudit, audit_role, pages_to_audit
from tests.live.conftest import LiveSite
from tests.live.crawler import CrawledPage

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs it)"),
    # The markup does not depend on the database: audited on SQLite only, which keeps the two-database run short.
    pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="audited on the SQLite run"),
    # The first test waits for the crawl and the audit (a few minutes on a loaded machine).
    pytest.mark.timeout(1200),
]


@pytest.fixture(scope="package")
def audits(crawled_pages: list[CrawledPage], live_site: LiveSite, browser: Any) -> list[PageAudit]:
    chosen = pages_to_audit(crawled_pages)
    return [
        audit
        for role, paths in chosen.items()
        for audit in audit_role(browser, live_site.url, role, paths, live_site.accounts.get(role))
    ]


def _listing(found: list[tuple[PageAudit, Any]]) -> str:
    return "\n".join(f"{audit.describe()}: {detail}" for audit, detail in found)


def test_every_kind_of_page_is_audited_in_both_languages_and_modes(audits: list[PageAudit]) -> None:
    combos = {(audit.language, audit.mode) for audit in audits}
    assert combos == {("zh_CN", "standard"), ("zh_CN", "care"), ("en", "standard"), ("en", "care")}
    roles = {audit.role for audit in audits}
    assert {"anonymous", "editor", "admin"} <= roles, roles
    assert len({audit.url for audit in audits}) >= 40
    assert all(audit.status == 200 for audit in audits), [a.describe() for a in audits if a.status != 200]


def test_axe_finds_no_serious_or_critical_problem(audits: list[PageAudit]) -> None:
    found = [(audit, violation) for audit in audits for violation in audit.failing]
    assert not found, _listing(found)


def test_no_page_scrolls_sideways_on_a_360_px_phone(audits: list[PageAudit]) -> None:
    wide = [(audit, f"{audit.scroll_width} px wide") for audit in audits if audit.scroll_width > WIDTH]
    assert not wide, _listing(wide)


def test_senior_version_enlarges_text_and_spacing_on_every_page(audits: list[PageAudit]) -> None:
    standard = {(audit.url, audit.language): audit for audit in audits if audit.mode == "standard"}
    problems = []
    for audit in audits:
        if audit.mode != "care":
            continue
        base = standard[(audit.url, audit.language)]
        ratio = audit.font_size / base.font_size
        # 互联网网站适老化通用设计规范: text 1.5× to 2×, line spacing at least 1.3.
        if not 1.5 <= ratio <= 2.0 or audit.line_height < 1.3:
            problems.append((audit, f"text {ratio:.2f}×, line height {audit.line_height:.2f}"))
    assert not problems, _listing(problems)
