"""The application as an operator sees it: configuration, health check, languages, security headers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from app import _instance_secret_key, create_app
from core.extensions import db
from tests.factories import DEFAULT_PASSWORD, make_user


def test_secret_key_is_generated_once_into_instance_and_kept(tmp_path: Path) -> None:
    first = _instance_secret_key(tmp_path)
    second = _instance_secret_key(tmp_path)
    key_file = tmp_path / "secret_key"
    assert len(first) == 64
    assert first == second == key_file.read_text()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_app_without_configured_secret_gets_a_random_one() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": None})
    assert app.config["SECRET_KEY"] and app.config["SECRET_KEY"] != "dev"


def test_environment_overrides_defaults(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'x.sqlite'}")
    monkeypatch.setenv("FLASK_SITE_NAME", "测试区人民政府")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite")
    assert app.config["SITE_NAME"] == "测试区人民政府"


def test_healthz_reports_database_ok(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_503_when_database_is_unreachable(test_config, tmp_path: Path) -> None:
    app = create_app({**test_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.sqlite"})
    response = app.test_client().get("/healthz")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_home_page_is_chinese_by_default(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "首页" in page and "部门联系方式" in page


def test_accept_language_english_gives_english(client) -> None:
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Department contacts" in page and "部门联系方式" not in page


def test_language_choice_overrides_accept_language(client) -> None:
    response = client.post("/language?next=/departments", data={"lang": "en"}, headers={"Accept-Language": "zh"})
    assert response.headers["Location"].endswith("/departments")
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    client.post("/language", data={"lang": "zh_CN"})
    assert '<html lang="zh-CN">' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_does_not_redirect_off_site(client) -> None:
    response = client.post("/language?next=//evil.example/", data={"lang": "en"})
    assert response.headers["Location"] == "/"


def test_security_headers_on_every_response(client) -> None:
    for path in ("/", "/login", "/no-such-page", "/healthz"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be ignored


def test_hsts_and_secure_cookie_over_https(client) -> None:
    make_user("moderator", email="m@example.cn")
    db.session.commit()
    assert client.get("/login", base_url="https://minyi.example.cn").headers["Strict-Transport-Security"]
    response = client.post(
        "/login",
        data={"email": "m@example.cn", "password": DEFAULT_PASSWORD},
        base_url="https://minyi.example.cn",
    )
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_error_pages_are_translated(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
    english = client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Page not found" in english


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
