"""Chinese pages are Chinese: every page of the demo site, as each role, shows no stray English word.

The site is crawled with the test client over the demo data that `flask demo load` creates: the public pages as a
resident, then each demo account's staff pages, a few pages for each shape of address (numbers and query values
aside), so an open, an upcoming and a closed consultation are all seen.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from consultation.models import Comment
from core import demo, integrity
from core.extensions import db
from surveys.models import Answer, Survey
from tests.i18n_checks import latin_words_on_chinese_page

# Addresses a crawl must not follow: actions, downloads and machine-readable documents.
_NOT_PAGES = re.compile(r"^/(static|api|captcha|logout|language)|\.(atom|zip|xlsx|csv|json|pdf|docx|sav|svg|png)$")
_PAGES_PER_SHAPE = 3
_MAX_PAGES = 150
_PUBLIC_START = ["/", "/consultations/receipt", "/verify", "/search?q=%E5%85%AC%E5%BC%80"]
_STAFF_START, _STAFF_AREAS = ["/manage/", "/account/"], ("/manage/", "/admin/", "/account/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _shape(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    return re.sub(r"/\d+", "/#", parts.path), tuple(sorted({key for key, _ in parse_qsl(parts.query)}))


def _site_links(html: str) -> Iterator[str]:
    parser = _Links()
    parser.feed(html)
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or _NOT_PAGES.search(parts.path):
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: FlaskClient, start: list[str], within: tuple[str, ...] = ("/",)) -> Iterator[tuple[str, str]]:
    """(address, html) of the pages under `within` reachable from `start`, a few per address shape."""
    queue, seen = list(start), set(start)
    shapes = Counter(_shape(url) for url in start)
    while queue and len(seen) <= _MAX_PAGES:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            response.close()  # a download (the demo's decided document) is a file left open otherwise
            continue
        yield url, response.text
        for link in _site_links(response.text):
            if link.startswith(within) and link not in seen and shapes[_shape(link)] < _PAGES_PER_SHAPE:
                seen.add(link)
                shapes[_shape(link)] += 1
                queue.append(link)


@pytest.fixture
def demo_site(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The demo data loaded as `flask demo load` does; the demo accounts' passwords by e-mail."""
    passwords = tmp_path / "demo-accounts.txt"
    monkeypatch.setattr(demo, "_password_file", lambda: passwords)
    for _line in demo.load():
        pass
    for survey in db.session.scalars(db.select(Survey)):
        survey.results_published = True  # so the public results page is crawled too
        integrity.seal("survey.schedule", survey)  # as an approver publishing them on the results page does
    db.session.commit()
    return dict(line.split("\t", 1) for line in passwords.read_text(encoding="utf-8").splitlines())


def _written_by_residents() -> set[str]:
    """Latin words in what residents wrote (the demo's spam comment says "vx"): content, not the site's text."""
    texts = [*db.session.scalars(db.select(Comment.content)), *db.session.scalars(db.select(Comment.author_name))]
    texts += [value for value in db.session.scalars(db.select(Answer.value)) if isinstance(value, str)]
    return {word for text in texts for word in re.findall(r"[A-Za-z]+", text)}


def test_every_page_shows_chinese_to_residents_and_to_each_staff_role(app: Flask, demo_site: dict[str, str]) -> None:
    residents = _written_by_residents()
    found: dict[str, list[str]] = {}
    crawls = [("resident", _PUBLIC_START, ("/",))]
    crawls += [(email, _STAFF_START, _STAFF_AREAS) for email, _name, _role, _department in demo.ACCOUNTS]
    for who, start, within in crawls:
        client = app.test_client()  # staff see the public pages as residents do: the resident's crawl checks them
        if who in demo_site:
            response = client.post("/login", data={"email": who, "password": demo_site[who]})
            assert response.status_code == 302, response.text[:300]
        for url, html in crawl(client, start, within):
            if words := latin_words_on_chinese_page(html, residents):
                found[f"{who} {url}"] = words
    assert found == {}, "English words on Chinese pages:\n" + "\n".join(f"{u}: {w}" for u, w in found.items())
