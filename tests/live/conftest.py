"""Live-server tests: the site served by gunicorn with the production settings, as `make run` starts it, crawled as
every demo role in both languages.

Why: the Flask test client reads a streamed response while the request's context is still open, so a download
that breaks only under a real server (its session already closed) passes there. Here every file is fetched over
HTTP from gunicorn and read to its last byte.

Fixtures (package scope: the demo data lives in the test database only while tests/live runs, and every table is
emptied afterwards, so the rest of the suite starts from an empty database as usual):

- `live_site` → LiveSite: `url`, `accounts` ({role: (e-mail, password)} of the demo staff), `log()` (gunicorn's
  output so far, tracebacks included), `app` (an application on the same database, for checks with
  `with live_site.app.app_context(): ...`). gunicorn runs `app:create_app()` with gunicorn.conf.py on a free port,
  CSRF on, the page cache on, rate limits as configured (the login limit raised for the crawl's sign-ins), against
  the test database: `TEST_DATABASE_URL` when set (PostgreSQL), else the session's SQLite file; demo data loaded
  with `flask demo load`. It is stopped (its whole process group) when the package ends, whether tests passed or not.
- `crawled_pages` → list[tests.live.crawler.CrawledPage]: every response of a crawl as each role (`ROLES`:
  "anonymous", "editor", "approver", "moderator", "reviewer", "admin") in each language ("zh_CN", then "en"
  chosen with the site's language switch). Each page has `url`, `role`, `language`, `status`, `content_type`,
  `body` (bytes; `.text` decoded), `found_on` and `problem` (why its body is broken, "" when whole). A check per
  page is a test in tests/live/ that takes `crawled_pages`, for example:

      def test_no_chinese_page_shows_latin_words(crawled_pages):
          for page in crawled_pages:
              if page.is_html and page.language == "zh_CN": ...

  The crawl runs once per test session, however many tests use it (about 30 s on SQLite).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import _empty_all_tables, make_app
from tests.live.crawler import CrawledPage, CrawlResult, crawl_as

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# (role, demo account); None signs in no one: a resident.
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "editor": "editor@demo.minyi.cn",
    "approver": "approver@demo.minyi.cn",
    "moderator": "moderator@demo.minyi.cn",
    "reviewer": "reviewer@demo.minyi.cn",
    "admin": "admin@demo.minyi.cn",
}
START_SECONDS = 60


@dataclass
class LiveSite:
    url: str
    app: Flask
    log_path: Path
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env(database_url: str, instance: Path, port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "GUNICORN_"))}
    return env | {
        "FLASK_APP": "app",
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "MINYI_INSTANCE_PATH": str(instance),
        "FLASK_MAIL_SUPPRESS_SEND": "true",
        # Seven sign-ins within a minute (the crawl's and the download tests') from one address.
        "FLASK_LOGIN_RATE_LIMIT": "30 per minute",
        "FLASK_SITE_URL": f"http://127.0.0.1:{port}/",  # as `make run` sets it: absolute links name this server
        "PORT": str(port),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()[-5000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:  # noqa: S310 - our own http URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_SECONDS} s:\n{log_path.read_text()[-5000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers: the whole process group it leads, by its own id."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=35)  # graceful_timeout is 30 s
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="package")
def live_site(
    _schema: None, database_url: str, test_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveSite]:
    root = tmp_path_factory.mktemp("live")
    instance = root / "instance"
    instance.mkdir()
    port = _free_port()
    env = _server_env(database_url, instance, port)
    app = make_app(test_config)
    log_path = root / "gunicorn.log"
    process = None
    try:
        loaded = subprocess.run(
            [str(BIN / "flask"), "demo", "load"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--no-control-socket"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as one
            )
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(process, url, log_path)
        passwords = dict(
            line.split("\t", 1) for line in (instance / "demo-accounts.txt").read_text().splitlines() if "\t" in line
        )
        accounts = {role: (email, passwords[email]) for role, email in ROLES.items() if email is not None}
        yield LiveSite(url=url, app=app, log_path=log_path, accounts=accounts)
    finally:
        if process is not None:
            _stop(process)
        with app.app_context():
            from core.extensions import db

            db.session.remove()
            _empty_all_tables()
            db.engine.dispose()


@pytest.fixture(scope="package")
def crawled_pages(live_site: LiveSite) -> list[CrawledPage]:
    def crawl_role(role: str) -> list[CrawlResult]:
        return crawl_as(live_site.url, role, live_site.accounts.get(role))

    # Roles side by side, as many as gunicorn has workers on two cores: the server renders one role's pages while
    # the crawler reads and parses another's files.
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [result for role_results in pool.map(crawl_role, ROLES) for result in role_results]
    for result in results:
        assert not result.budget_exhausted, (
            f"the crawl as {result.role} ({result.language}) reached its budget of pages: raise PAGE_BUDGET "
            "in tests/live/crawler.py, or collapse the new kind of address in url_pattern"
        )
    return [page for result in results for page in result.pages]
