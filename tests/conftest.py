"""Fixtures: one schema per test session on SQLite or PostgreSQL, emptied after every test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from core.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def test_config(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "CAPTCHA_ENABLED": False,
        "PUBLIC_PAGE_CACHE_SECONDS": 0,  # tests/test_page_cache.py switches it on
        "MAIL_SUPPRESS_SEND": True,
        "QUEUE_IMMEDIATE": True,  # queued tasks run at once; tests/core/test_tasks.py runs a real worker
        "SITE_URL": "http://localhost/",  # the test client's own address, so links can be followed
        "LOG_FORMAT": "text",
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
    }


@pytest.fixture(scope="session")
def _schema(test_config: dict[str, Any]) -> Iterator[None]:
    app = create_app(test_config)
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


class FreshContextClient(FlaskClient):
    """Runs each request in its own app context, as in production, so `g` and the session never leak
    between requests while the test itself holds an app context for direct database access."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(test_config: dict[str, Any], **overrides: Any) -> Flask:
    app = create_app({**test_config, **overrides})
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture
def app(_schema: None, test_config: dict[str, Any]) -> Iterator[Flask]:
    app = make_app(test_config)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


class AuthActions:
    """Log a staff member in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = DEFAULT_PASSWORD) -> Any:
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self) -> Any:
        return self.client.post("/logout")

    def login_as(self, role: str, department: Any = None, **kwargs: Any) -> Any:
        user = make_user(role=role, department=department, **kwargs)
        db.session.commit()
        response = self.login(user.email)
        assert response.status_code == 302, response.data[:500]
        return user


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """Compile the catalogs when they are missing or older than their .po, so plain `pytest` works too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(__file__).resolve().parent.parent.glob("translations/*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


# The public address configured for `behind_proxy`, and what a client sends to make the site believe it is another
# host (nginx passing its X-Forwarded-Host on, or a Host header nginx does not check).
SITE_URL = "https://yijian.example.cn/"
FORGED_HOST = "forged-host.example"
FORGED_HEADERS = {"Host": FORGED_HOST, "X-Forwarded-Host": FORGED_HOST, "X-Forwarded-Proto": "https"}


@pytest.fixture
def behind_proxy(app: Flask, test_config: dict[str, Any]) -> Iterator[Flask]:
    """The site behind one trusted proxy, as docs/deploy.md sets it up, with its public address in SITE_URL."""
    proxied = make_app(test_config, TRUSTED_PROXY_COUNT=1, SITE_URL=SITE_URL)
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def forged(client: FlaskClient, method: str, url: str, **kwargs: Any) -> Any:
    """A request claiming to be for FORGED_HOST, in the Host header and the proxy's X-Forwarded-Host."""
    return client.open(url, method=method, headers=FORGED_HEADERS, base_url=f"http://{FORGED_HOST}", **kwargs)


# One chromium for the whole run, shared by the browser tests and the live accessibility audit: Playwright's sync
# API allows one running instance per process.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()
