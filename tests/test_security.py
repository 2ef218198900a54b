"""Security defaults with CSRF and rate limits switched on, as in production."""

from __future__ import annotations

import re

import pytest

from core.extensions import db
from tests.conftest import make_app
from tests.factories import DEFAULT_PASSWORD, make_user


@pytest.fixture
def strict_app(app, test_config):
    """The same database as `app`, with CSRF protection and rate limiting on."""
    strict = make_app(test_config, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True)
    yield strict
    with strict.app_context():
        db.engine.dispose()


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "form has no CSRF token"
    return match.group(1)


def test_post_without_csrf_token_is_refused_with_400(strict_app) -> None:
    client = strict_app.test_client()
    response = client.post("/login", data={"email": "a@example.cn", "password": "x"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_login_through_form_with_csrf_token_works(strict_app, app) -> None:
    make_user("moderator", email="mod@example.cn")
    db.session.commit()
    client = strict_app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": "mod@example.cn", "password": DEFAULT_PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/manage/"


def test_logout_by_get_changes_nothing(auth, client) -> None:
    auth.login_as("moderator")
    assert client.get("/logout").status_code == 405
    assert client.get("/manage/").status_code == 200


def test_login_posts_are_rate_limited_per_address(strict_app) -> None:
    client = strict_app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    statuses = [
        client.post("/login", data={"email": f"x{i}@example.cn", "password": "wrong", "csrf_token": token}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[-1] == 429
    assert "请求过于频繁" in client.post("/login", data={"csrf_token": token}).get_data(as_text=True)


def test_every_form_on_every_public_page_carries_a_csrf_token(strict_app) -> None:
    client = strict_app.test_client()
    for path in ("/", "/login", "/departments", "/privacy"):
        page = client.get(path).get_data(as_text=True)
        for form in re.findall(r'<form[^>]*method="post".*?</form>', page, flags=re.S):
            assert 'name="csrf_token"' in form, f"form without CSRF token on {path}"
