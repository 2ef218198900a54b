"""A crawler for the live site: signs in through the real login form, follows every same-origin link, image and GET
form breadth-first, switches the language with the site's own switch, and reads every response to its end.

Only GET requests, apart from the login form and the language switch (a cookie, no server state); a URL is
visited at most `PER_PATTERN` times per pattern (numbers and codes in the path and query collapsed), so the crawl
is bounded however much data the site holds, yet sees items in several states (open, closed, with feedback).
"""

from __future__ import annotations

import csv
import http.client
import http.cookiejar
import io
import json
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree, html

PER_PATTERN = 6  # items of one kind (a consultation, a comment) visited per crawl: enough for each state
PAGE_BUDGET = 400  # responses per crawl (one role, one language); reaching it fails the crawl: raise it knowingly
TIMEOUT = 60
LANGUAGES = ("zh_CN", "en")
# Never requested even if linked: signing out ends the crawl's session (it is a POST form anyway); the 长辈版 switch
# would change how every later page looks halfway through (tests/live/test_accessibility.py opens each page in both).
SKIPPED_PATHS = ("/logout", "/care")


@dataclass
class CrawledPage:
    """One response the crawler read in full (or failed to): what later checks per page look at."""

    url: str
    role: str  # "anonymous", "editor", "approver", "moderator", "reviewer", "admin"
    language: str  # "zh_CN" or "en", as chosen with the site's language switch
    status: int
    content_type: str  # without parameters, lower case: "text/html", "text/csv" …
    body: bytes
    found_on: str = ""  # the page that linked here
    problem: str = ""  # why the body is broken (truncated, unparseable); empty when it is whole
    seconds: float = 0.0  # from the request to the last byte

    @property
    def is_html(self) -> bool:
        return self.content_type == "text/html"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class CrawlResult:
    role: str
    language: str
    pages: list[CrawledPage] = field(default_factory=list)
    budget_exhausted: bool = False


class Browser:
    """A cookie-keeping HTTP client that never follows redirects by itself (the crawler records each hop)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, url: str, data: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes, str]:
        """(status, headers, body, problem): the body read to its end; problem says how it broke off, if it did."""
        encoded = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self._opener.open(urllib.parse.urljoin(self.base_url + "/", url), encoded, timeout=TIMEOUT)
        except urllib.error.HTTPError as error:
            response = error
        body, problem = _read_all(response)
        return response.status or response.code, response.headers, body, problem

    def login(self, email: str, password: str) -> str:
        """Sign in through /login (its CSRF token included); returns where the site sent the user."""
        status, _headers, body, _problem = self.request("/login")
        assert status == 200, f"/login answered {status}"
        form = _form_with_field(body, "password")
        values = dict(form.form_values()) | {"email": email, "password": password}
        status, headers, body, _problem = self.request(_absolute(form.action or "/login", "/login"), values)
        assert status in (302, 303), f"login of {email} answered {status}: {body[:300]!r}"
        return urllib.parse.urlsplit(headers["Location"]).path

    def choose_language(self, language: str) -> None:
        """Press the language switch in the header of the home page, as a visitor does."""
        status, _headers, body, _problem = self.request("/")
        assert status == 200
        document = html.document_fromstring(body)
        for form in document.forms:
            if (form.action or "").split("?")[0].endswith("/language"):
                values = dict(form.form_values())
                button = form.xpath(".//button[@name='lang']")
                if button and button[0].get("value") == language:
                    values["lang"] = language
                    status, _h, _b, _p = self.request(_absolute(form.action, "/"), values)
                    assert status in (302, 303), f"the language switch answered {status}"
                    break
        assert self.language() == language, f"the language switch did not give {language}"

    def language(self) -> str:
        chosen = {cookie.name: cookie.value for cookie in self.cookies}.get("lang")
        return chosen or LANGUAGES[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _read_all(response: object) -> tuple[bytes, str]:
    try:
        body = response.read()  # type: ignore[attr-defined]
    except http.client.IncompleteRead as error:
        return error.partial, f"truncated: {len(error.partial)} bytes, then the connection ended"
    except (ConnectionError, TimeoutError, OSError) as error:
        return b"", f"connection broke while reading: {error!r}"
    finally:
        response.close()  # type: ignore[attr-defined]
    declared = response.headers.get("Content-Length")  # type: ignore[attr-defined]
    if declared is not None and int(declared) != len(body):
        return body, f"truncated: Content-Length {declared}, {len(body)} bytes received"
    return body, ""


def _form_with_field(body: bytes, name: str) -> html.FormElement:
    for form in html.document_fromstring(body).forms:
        if name in form.inputs:
            return form
    raise AssertionError(f"no form with a {name!r} field")


def _absolute(url: str, base: str) -> str:
    return urllib.parse.urljoin(base, url)


# ------------------------------------------------------------------------------------------------ what to visit


_WORD = re.compile(r"[a-z][a-z_.-]{0,30}")


def url_pattern(url: str) -> str:
    """/manage/consultations/12/summary.csv?version=public → /manage/consultations/#/summary.csv?version=public.

    Path segments and query values that are not lower-case words become # (ids, receipts, verification codes,
    tokens, dates, search terms); words are kept, so each version or format of a download is a pattern of its own.
    """
    parts = urllib.parse.urlsplit(url)
    path = "/".join(segment if not segment or _WORD.fullmatch(segment) else "#" for segment in parts.path.split("/"))
    query = sorted(
        (key, value if not value or _WORD.fullmatch(value) else "#")
        for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    )
    return path + ("?" + "&".join(f"{key}={value}" for key, value in query) if query else "")


def _links(page_url: str, body: bytes) -> Iterable[str]:
    """Every same-document address a visitor can reach from a page: links, images, feeds, GET forms as submitted."""
    try:
        document = html.document_fromstring(body, base_url=page_url)
    except (etree.ParserError, ValueError):
        return
    for element, attribute in (("a", "href"), ("img", "src"), ("link[@rel='alternate']", "href")):
        for node in document.xpath(f"//{element}[@{attribute}]"):
            yield urllib.parse.urljoin(page_url, node.get(attribute))
    for form in document.forms:
        if (form.method or "GET").upper() == "GET":
            action = urllib.parse.urljoin(page_url, form.action or page_url)
            query = urllib.parse.urlencode(list(form.form_values()))
            yield urllib.parse.urlsplit(action)._replace(query=query).geturl()


def _same_origin_path(url: str, base_url: str) -> str | None:
    """The path and query of `url` when it is on the site itself; None for other sites, mailto:, tel: …"""
    parts, base = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return None
    return parts._replace(scheme="", netloc="", fragment="").geturl() or "/"


def crawl(
    browser: Browser, role: str, start: Iterable[str], *, budget: int = PAGE_BUDGET, per_pattern: int = PER_PATTERN
) -> CrawlResult:
    """Breadth-first from `start` in the browser's current language; every response read in full and checked."""
    result = CrawlResult(role=role, language=browser.language())
    queue: deque[tuple[str, str]] = deque((url, "") for url in start)
    seen: set[str] = set()
    per: Counter[str] = Counter()
    while queue:
        url, found_on = queue.popleft()
        path = urllib.parse.urlsplit(url).path
        pattern = url_pattern(url)
        # Items (a path with an id) in up to `per_pattern` states; one address per path and query pattern (pages
        # of a list, verification codes, articles of a draft): they render the same template with other values.
        keys = (pattern, path + "?" + pattern.partition("?")[2])
        if url in seen or path in SKIPPED_PATHS or per[keys[0]] >= per_pattern or per[keys[1]] >= 1:
            continue
        if len(result.pages) >= budget:
            result.budget_exhausted = True
            break
        seen.add(url)
        per.update(keys)
        began = time.monotonic()
        status, headers, body, problem = browser.request(url)
        content_type = (headers.get_content_type() or "").lower()
        page = CrawledPage(
            url, role, result.language, status, content_type, body, found_on, problem, time.monotonic() - began
        )
        if not page.problem and status < 300:
            page.problem = check_body(page, headers.get("Content-Disposition", ""))
        result.pages.append(page)
        if status in (301, 302, 303, 307, 308) and headers.get("Location"):
            targets: Iterable[str] = [urllib.parse.urljoin(browser.base_url + url, headers["Location"])]
        elif page.is_html and status < 400:
            targets = _links(browser.base_url + url, body)
        else:
            targets = []
        for target in targets:
            path = _same_origin_path(target, browser.base_url)
            if path is not None and path not in seen:
                queue.append((path, url))
    return result


# ------------------------------------------------------------------------------------------------ reading files


def _csv(body: bytes) -> None:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows and rows[0], "no header row"
    widths = {len(row) for row in rows}
    assert len(widths) == 1, f"rows of different lengths {sorted(widths)}"


def _json(body: bytes) -> None:
    json.loads(body)


def _xml(body: bytes) -> None:
    etree.fromstring(body)


def _xlsx(body: bytes) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body), read_only=True)
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    workbook.close()


def _docx(body: bytes) -> None:
    from docx import Document

    document = Document(io.BytesIO(body))
    assert document.paragraphs or document.tables, "an empty document"
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                _ = cell.text


def _pdf(body: bytes) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body), strict=True)
    assert reader.pages, "no pages"
    for pdf_page in reader.pages:
        # Every page's content streams decompressed: a cut-off file fails here (extracting the text would check
        # no more, at ten times the cost).
        contents = pdf_page.get_contents()
        assert contents is not None and contents.get_data(), "a page without content"


def _zip(body: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        broken = archive.testzip()
        assert broken is None, f"member {broken} fails its CRC"
        for name in archive.namelist():
            reader = _BY_EXTENSION.get(Path(name).suffix.lower())
            if reader is not None:
                try:
                    reader(archive.read(name))
                except Exception as error:
                    raise AssertionError(f"member {name}: {error!r}") from error


def _image(body: bytes) -> None:
    from PIL import Image

    Image.open(io.BytesIO(body)).verify()


def _sav(body: bytes) -> None:
    import pyreadstat

    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(body)
        handle.flush()
        columns, _meta = pyreadstat.read_sav(handle.name, output_format="dict")  # pandas is not installed
        assert columns, "no variables"


def _text(body: bytes) -> None:
    body.decode("utf-8")


def _html(body: bytes) -> None:
    assert b"</html>" in body[-200:].lower(), "the page does not end with </html>"


_BY_TYPE: dict[str, Callable[[bytes], None]] = {
    "text/html": _html,
    "text/csv": _csv,
    "application/json": _json,
    "application/problem+json": _json,
    "application/atom+xml": _xml,
    "application/xml": _xml,
    "text/xml": _xml,
    "image/svg+xml": _xml,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _xlsx,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _docx,
    "application/pdf": _pdf,
    "application/zip": _zip,
    "image/png": _image,
    "image/jpeg": _image,
    "image/gif": _image,
    "image/webp": _image,
    "application/x-spss-sav": _sav,
    "text/css": _text,
    "text/javascript": _text,
    "application/javascript": _text,
    "text/plain": _text,
    "text/markdown": _text,
}
_BY_EXTENSION: dict[str, Callable[[bytes], None]] = {
    ".csv": _csv,
    ".json": _json,
    ".xlsx": _xlsx,
    ".docx": _docx,
    ".pdf": _pdf,
    ".zip": _zip,
    ".sav": _sav,
    ".txt": _text,
    ".md": _text,
    ".xml": _xml,
    ".png": _image,
}


def check_body(page: CrawledPage, disposition: str = "") -> str:
    """Parse the body completely by its type (or its file name's extension); the error, or "" when it is whole."""
    reader = _BY_TYPE.get(page.content_type)
    if reader is None:
        match = re.search(r'filename="?([^";]+)', disposition)
        reader = _BY_EXTENSION.get(Path(match.group(1)).suffix.lower()) if match else None
    if reader is None:
        return f"no reader for {page.content_type!r}: add one to tests/live/crawler.py"
    try:
        reader(page.body)
    except Exception as error:
        return f"unreadable as {page.content_type}: {error!r}"
    return ""


def crawl_as(base_url: str, role: str, credentials: tuple[str, str] | None) -> list[CrawlResult]:
    """Sign in (unless anonymous) and crawl the site in each language, the default one first."""
    browser = Browser(base_url)
    start = ["/"]
    if credentials is not None:
        start.insert(0, browser.login(*credentials))
    results = []
    for language in LANGUAGES:
        if browser.language() != language:
            browser.choose_language(language)
        results.append(crawl(browser, role, start))
    return results
