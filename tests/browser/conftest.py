"""Browser tests: a real server on the test database, driven by Playwright through Debian's headless chromium.

Fixtures: `live_server` (.url, .app), `phone` and `desktop` pages, `shot(page, name)` for screenshots that a
person looks at (tests/browser/screenshots/, ignored by git).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests.conftest import CHROMIUM, make_app

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="chromium is not installed (make test installs it)")
    # The development server's request threads can leave a static file or a pooled connection for the garbage
    # collector when the browser drops a connection; that is the test server's housekeeping, not the site's.
    quiet = pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(quiet)
            if CHROMIUM is None:
                item.add_marker(skip)


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture
def live_server(app: Flask, test_config: dict[str, Any]) -> Iterator[LiveServer]:
    """A threaded server for the same database as `app`; data committed in the test is visible to it.

    As in production, every form carries its CSRF token and public pages come from the page cache."""
    server_app = make_app(test_config, WTF_CSRF_ENABLED=True, PUBLIC_PAGE_CACHE_SECONDS=5)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, server_app, threaded=True)
    # Closing the server waits for its request threads, so every connection is back in the pool before disposal.
    server.daemon_threads = False
    server.block_on_close = True
    url = f"http://127.0.0.1:{server.server_port}"
    server_app.config["SITE_URL"] = f"{url}/"  # as `make run` sets it: absolute links name this server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=url, app=server_app)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    with server_app.app_context():
        from core.extensions import db

        db.engine.dispose()
    gc.collect()  # finalise what the server's threads left now, inside this test, not during a later one


def _page(browser: Any, viewport: dict[str, int], *, mobile: bool) -> Iterator[Any]:
    context = browser.new_context(
        viewport=viewport, is_mobile=mobile, has_touch=mobile, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    # A page that throws, or breaks the content-security policy, is a bug even when the test passed.
    assert errors == [], errors


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from _page(browser, PHONE, mobile=True)


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    yield from _page(browser, DESKTOP, mobile=False)


@pytest.fixture
def shot(request: pytest.FixtureRequest):
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
