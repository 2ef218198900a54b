"""Everything a user can click works on the real server: every page and every file reached by following links and
GET forms as each demo role, in Chinese and in English, answers without a server error and arrives whole."""

from __future__ import annotations

import re

from tests.live.conftest import ROLES, LiveSite
from tests.live.crawler import LANGUAGES, CrawledPage


def _listing(pages: list[CrawledPage], live_site: LiveSite) -> str:
    lines = [f"{page.status} {page.url} as {page.role} ({page.language}) {page.problem}" for page in pages]
    # The tracebacks gunicorn logged, so a failure here says what broke without rerunning anything.
    tracebacks = re.findall(r"Traceback \(most recent call last\):.*?\n(?=\S)[^\n]*", live_site.log(), re.S)
    return "\n".join([*lines, "", "gunicorn logged:", *tracebacks[-5:]])


def test_every_role_reaches_its_pages_in_both_languages(crawled_pages: list[CrawledPage]) -> None:
    for role in ROLES:
        for language in LANGUAGES:
            pages = [page for page in crawled_pages if page.role == role and page.language == language]
            assert sum(page.is_html for page in pages) >= 15, (role, language, [page.url for page in pages])
    editor_files = {re.sub(r".*/", "", page.url) for page in crawled_pages if page.role == "editor"}
    for name in ("summary.csv?version=public", "summary.json?version=internal", "reply-list.csv", "packet.zip"):
        assert name in editor_files, sorted(editor_files)


def test_no_page_or_file_answers_a_server_error(crawled_pages: list[CrawledPage], live_site: LiveSite) -> None:
    failed = [page for page in crawled_pages if page.status >= 500]
    assert not failed, _listing(failed, live_site)


def test_no_page_is_refused_for_the_crawls_pace(crawled_pages: list[CrawledPage], live_site: LiveSite) -> None:
    # A rate limit that answers 429 hides the page behind it from every other check.
    limited = [page for page in crawled_pages if page.status == 429]
    assert not limited, _listing(limited, live_site)


def test_every_download_arrives_whole_and_parses(crawled_pages: list[CrawledPage], live_site: LiveSite) -> None:
    broken = [page for page in crawled_pages if page.problem]
    assert not broken, _listing(broken, live_site)
