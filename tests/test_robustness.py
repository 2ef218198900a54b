"""A crash is a bug, never an answer: every page answers odd input with a 4xx or a normal page, never a 500.

The routes are taken from the application itself, so pages added later are covered without editing this file.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from core.accounts import department_by_code

ODD_VALUES = ["0", "99999999999999999999", "<script>alert(1)</script>", "' OR 1=1 --"]
ODD_QUERY = {
    "page": "-5", "unit": "<b>x</b>", "department": "999999", "type": "nope", "status": "'", "q": "%' OR '1'='1",
    "since": "2026-13-45", "until": "yesterday", "next": "//evil.example", "lang": "xx", "sort": "id;drop",
}  # fmt: skip


def _fill(rule: str, value: str) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: "1" if m.group(1) in ("int", "float") else value, rule)


def _get_rules(app: Flask) -> list[str]:
    return sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint != "static" and not rule.rule.startswith("/healthz")
        }
    )


@pytest.fixture
def demo(runner) -> None:
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def test_public_pages_never_answer_500_to_odd_input(app: Flask, client, demo) -> None:
    for rule in _get_rules(app):
        for value in ODD_VALUES:
            response = client.get(_fill(rule, value), query_string=ODD_QUERY)
            assert response.status_code < 500, (rule, value, response.status_code)


@pytest.mark.parametrize("role", ["admin", "editor", "approver", "moderator", "reviewer"])
def test_staff_pages_never_answer_500_to_odd_input(app: Flask, client, auth, demo, role) -> None:
    # The demo's content belongs to the district government office: staff of that department see the most pages.
    auth.login_as(role, department=department_by_code("gov-office"))
    for rule in _get_rules(app):
        if rule.startswith(("/manage", "/admin", "/account")):
            response = client.get(_fill(rule, "x"), query_string=ODD_QUERY)
            assert response.status_code < 500, (role, rule, response.status_code)


def test_posts_of_garbage_never_answer_500(app: Flask, client, demo) -> None:
    garbage = {"csrf_token": "x", "content": "\x00" * 10 + "中" * 6000, "email": "not-an-email", "unit_key": "zz",
               "respondent_type": "martian", "privacy_ack": "maybe", "captcha_answer": "'" * 30}  # fmt: skip
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith(("/manage", "/admin", "/account")):
            continue
        response = client.post(_fill(rule.rule, "1"), data=garbage)
        assert response.status_code < 500, (rule.rule, response.status_code)
