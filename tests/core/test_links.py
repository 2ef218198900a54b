"""Absolute links come from SITE_URL, never from the request; the proxy is trusted for the client's address and
scheme only, and the documented nginx passes on none of the forwarding headers a client sends."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from core.audit import AuditEvent
from core.extensions import db
from core.links import site_url
from tests.conftest import FORGED_HEADERS, FORGED_HOST, SITE_URL, make_app

ROOT = Path(__file__).resolve().parent.parent.parent


def test_links_name_the_configured_site_whatever_host_the_request_claims(behind_proxy: Flask) -> None:
    with behind_proxy.test_request_context("/", base_url=f"http://{FORGED_HOST}/", headers=FORGED_HEADERS):
        assert site_url("consultation.detail", consultation_id=7) == f"{SITE_URL}consultations/7"
    # A site mounted under a path keeps it; outside any request (the CLI, a timer) the address is the same.
    behind_proxy.config["SITE_URL"] = "https://www.dongzhou.example.cn/yijian/"
    with behind_proxy.app_context():
        assert site_url("verify.index") == "https://www.dongzhou.example.cn/yijian/verify"


def test_a_site_url_without_scheme_or_host_is_refused_with_a_clear_message(app: Flask) -> None:
    app.config["SITE_URL"] = "yijian.example.cn"
    with pytest.raises(RuntimeError, match="SITE_URL"):
        site_url("public.home")


def test_behind_one_proxy_the_client_address_and_https_are_trusted_but_not_a_forwarded_host(
    behind_proxy: Flask,
) -> None:
    client = behind_proxy.test_client()
    forwarded = {**FORGED_HEADERS, "X-Forwarded-For": "203.0.113.9"}
    response = client.post("/login", data={"email": "nobody@example.cn", "password": "x" * 12}, headers=forwarded)
    assert "Strict-Transport-Security" in response.headers  # X-Forwarded-Proto: https is the proxy's word
    failure = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).one()
    assert failure.ip == "203.0.113.9"
    assert behind_proxy.wsgi_app.x_host == 0  # type: ignore[attr-defined]


def test_a_forwarded_host_is_trusted_only_when_configured(test_config: dict) -> None:
    trusting = make_app(test_config, TRUSTED_PROXY_COUNT=1, TRUSTED_PROXY_FORWARDS_HOST=True)
    assert trusting.wsgi_app.x_host == 1  # type: ignore[attr-defined]
    with trusting.app_context():
        db.engine.dispose()


def _nginx_example() -> str:
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    return re.search(r"```nginx\n(.*?)```", deploy, re.S).group(1)  # type: ignore[union-attr]


def test_the_documented_nginx_sets_the_forwarding_headers_itself_and_clears_a_forwarded_host() -> None:
    proxy_headers = dict(re.findall(r"proxy_set_header\s+(\S+)\s+([^;]*);", _nginx_example()))
    # Replaced by nginx's own values, so whatever the client sent is gone.
    assert proxy_headers["X-Forwarded-For"] == "$remote_addr"
    assert proxy_headers["X-Forwarded-Proto"] == "$scheme"
    assert proxy_headers["X-Forwarded-Host"] == '""'  # an empty value: nginx drops the header
    assert proxy_headers["Host"] == "$server_name"  # not $host, which is the client's
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "FLASK_SITE_URL=https://" in deploy
