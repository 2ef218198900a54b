"""The content scan: every public page rendered and read for spam words and links to domains off the allow-list.

`run_scan()` is a plain function, so a timer (`flask integrity scan`, see docs/deploy.md) or a task queue can run
it. It walks the public site from the home page and every public address without parameters, as an anonymous
visitor through the application itself (no network), up to INTEGRITY_SCAN_MAX_PAGES pages; it also records
internal links that fail, accessibility basics, and (with `check_external`) external links that do not answer.
A hit raises an alert; nothing is removed.
"""

from __future__ import annotations

import html
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import current_app

from core.db import utcnow
from core.extensions import db, limiter
from core.integrity import alerts, filetext
from core.integrity.links import check_external_links, domain_allowed
from core.integrity.models import InspectionRun, IntegrityAlert
from core.screening import SensitiveWordMatcher, load_word_list
from core.words import current_word_lists

SPAM_WORDS = Path(__file__).parent / "data" / "spam_words.txt"
_TEXT_TYPES = ("text/html", "application/json", "application/atom+xml", "application/xml", "text/")
# Staff and account areas are not public pages; the scan never follows them (nor sign-out links).
_NOT_PUBLIC = ("/manage", "/admin", "/login", "/logout", "/account", "/static/", "/review")


@cache
def _spam_lists() -> dict[str, list[str]]:
    return load_word_list(SPAM_WORDS)


def matcher() -> SensitiveWordMatcher:
    """The spam vocabulary and the admin's word lists in force."""
    lists: dict[str, list[str]] = {key: list(words) for key, words in _spam_lists().items()}
    for category, words in current_word_lists().items():
        lists.setdefault(category, []).extend(words)
    return SensitiveWordMatcher(lists)


class _Page(HTMLParser):
    """Links, image alt texts and the document language of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images_without_alt = 0
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src", "action"):
            if values.get(name) and not (tag == "form" and name == "action"):
                self.links.append(str(values[name]))
        if tag == "img" and values.get("alt") is None:
            self.images_without_alt += 1
        if tag == "html":
            self.lang = values.get("lang") or ""


def seeds() -> list[str]:
    """Every public GET address without parameters (home, lists, feeds, the API's roots)."""
    paths = []
    for rule in current_app.url_map.iter_rules():
        public = "GET" in (rule.methods or ()) and not rule.arguments and not rule.rule.startswith(_NOT_PUBLIC)
        if public and rule.endpoint not in ("static", "public.healthz", "public.favicon"):
            paths.append(rule.rule)
    return ["/", *sorted(set(paths) - {"/"})]


@contextmanager
def _limits_off() -> Iterator[None]:
    # The scan asks the application for hundreds of pages from one address; the API's limit is for visitors.
    was = limiter.enabled
    limiter.enabled = False
    try:
        yield
    finally:
        limiter.enabled = was


def _internal(url: str, site: Any) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != site.netloc):
        return None
    path = parts.path or "/"
    if path.startswith(_NOT_PUBLIC) or path.startswith("/surveys/s/"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _read_page(path: str, body: str, content_type: str, word_matcher: SensitiveWordMatcher) -> tuple[list, _Page]:
    findings: list[dict[str, Any]] = []
    text = html.unescape(body)
    for hit in {(hit.category, hit.word) for hit in word_matcher.find(text)}:
        findings.append({"type": "spam", "url": path, "category": hit[0], "word": hit[1]})
    page = _Page()
    if content_type.startswith("text/html"):
        page.feed(body)
        if page.images_without_alt:
            findings.append(
                {"type": "accessibility", "url": path, "detail": f"img without alt: {page.images_without_alt}"}
            )
        if not page.lang:
            findings.append({"type": "accessibility", "url": path, "detail": "html without lang"})
    return findings, page


def _fetch(client: Any, path: str, base_url: str) -> tuple[int, str, bytes]:
    """One page or file as an anonymous visitor gets it; a file's handle is closed at once."""
    response = client.get(path, base_url=base_url)
    try:
        return response.status_code, response.content_type or "", response.get_data()
    finally:
        response.close()


def file_text(content_type: str, data: bytes) -> filetext.FileText:
    """The text and links of a published Word or PDF file (attachments, issued documents); empty for others."""
    try:
        return filetext.read(content_type, data)
    except Exception:  # a file that cannot be read is reported by its page, not by a failed scan
        current_app.logger.warning("integrity scan: could not read a %s file", content_type)
    return filetext.FileText()


def _read_file(path: str, content_type: str, data: bytes, word_matcher: SensitiveWordMatcher) -> list[dict[str, Any]]:
    read = file_text(content_type, data)
    findings: list[dict[str, Any]] = [
        {"type": "spam", "url": path, "category": category, "word": word}
        for category, word in {(hit.category, hit.word) for hit in word_matcher.find(read.text)}
    ]
    for link in dict.fromkeys(read.links):  # a link in a file is checked against the allow-list like a page's
        if urlsplit(link).scheme in ("http", "https") and not domain_allowed(urlsplit(link).hostname or ""):
            findings.append({"type": "link", "url": path, "target": link})
    return findings


def run_scan(*, check_external: bool = False, max_pages: int | None = None) -> InspectionRun:
    """Scan the public site; store the run, raise alerts for spam and foreign links, close those gone. Commits."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    max_pages = max_pages or int(app.config.get("INTEGRITY_SCAN_MAX_PAGES", 2000))
    site = urlsplit(app.config["SITE_URL"])
    run = InspectionRun(kind="scan", started_at=utcnow(), pages=0)
    findings: list[dict[str, Any]] = []
    external: dict[str, str] = {}  # url -> first page linking to it
    word_matcher = matcher()
    queue: deque[tuple[str, str]] = deque((path, "") for path in seeds())
    seen = {path for path, _referrer in queue}
    client = app.test_client()
    with _limits_off():
        while queue and run.pages < max_pages:
            path, referrer = queue.popleft()
            status, content_type, body = _fetch(client, path, f"{site.scheme}://{site.netloc}")
            run.pages += 1
            if status >= 400:
                kind = "unavailable" if status == 503 else "broken_link"
                findings.append({"type": kind, "url": path, "status": status, "from": referrer})
                continue
            if not content_type.startswith(_TEXT_TYPES):
                findings.extend(_read_file(path, content_type, body, word_matcher))
                continue
            text = body.decode("utf-8", errors="replace")
            page_findings, page = _read_page(path, text, content_type, word_matcher)
            findings.extend(page_findings)
            for link in page.links:
                absolute = urljoin(f"{site.scheme}://{site.netloc}{path}", link)
                inner = _internal(absolute, site)
                if inner is not None:
                    if inner not in seen:
                        seen.add(inner)
                        queue.append((inner, path))
                elif urlsplit(absolute).scheme in ("http", "https"):
                    external.setdefault(absolute.split("#")[0], path)
    for url, page_path in external.items():
        if not domain_allowed(urlsplit(url).hostname or ""):
            findings.append({"type": "link", "url": page_path, "target": url})
    if check_external:
        findings.extend(check_external_links(external))
    run.findings, run.finished_at = findings, utcnow()
    db.session.add(run)
    _alert(findings)
    db.session.commit()
    return run


def _alert(findings: list[dict[str, Any]]) -> None:
    raised = set()
    for finding in findings:
        if finding["type"] in ("spam", "link"):
            detail = {key: value for key, value in finding.items() if key != "type"}
            alerts.raise_alert("page", finding["url"], finding["type"], detail)
            raised.add((finding["url"], finding["type"]))
    for alert in db.session.scalars(
        db.select(IntegrityAlert).where(
            IntegrityAlert.resolved_at.is_(None), IntegrityAlert.problem.in_(("spam", "link"))
        )
    ):
        if (alert.subject_id, alert.problem) not in raised:
            alert.resolved_at = utcnow()


def last_run() -> InspectionRun | None:
    return db.session.scalar(
        db.select(InspectionRun).where(InspectionRun.kind == "scan").order_by(InspectionRun.id.desc()).limit(1)
    )
