"""The open-data API as a whole: its OpenAPI document, JSON errors, open CORS, no cookies, and its rate limit."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from openapi_spec_validator import validate

from core.api import API_PREFIX
from core.extensions import db
from tests.conftest import make_app


def _openapi_path(rule: str) -> str:
    """/api/v1/consultations/<int:consultation_id> → /consultations/{consultation_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix(API_PREFIX))


def test_openapi_document_is_a_valid_openapi_3_1_document(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any error in the document


def test_every_api_route_is_described_in_the_openapi_document(app: Flask, client) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    routes = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API_PREFIX) and rule.endpoint != "api.unknown"  # the JSON 404 for any other address
    ]
    assert len(routes) >= 8
    for rule in routes:
        described = paths.get(_openapi_path(rule.rule))
        assert described is not None, f"{rule.rule} is not in the OpenAPI document"
        assert set(described) == {"get"} and "GET" in rule.methods, rule.rule
        declared = {p["name"] for p in described["get"].get("parameters", []) if p.get("in") == "path"}
        assert declared == set(rule.arguments), rule.rule


def test_unknown_api_addresses_and_other_methods_get_json_errors(client) -> None:
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.content_type == "application/json"
    assert missing.get_json()["error"]["status"] == 404
    posted = client.post("/api/v1/consultations", json={})
    assert posted.status_code == 405
    assert posted.get_json()["error"]["status"] == 405
    assert "GET" in posted.headers["Allow"]


def test_api_allows_any_origin_and_sets_no_cookie(client) -> None:
    response = client.get("/api/v1/consultations", headers={"Origin": "https://data.example.org"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    bad = client.get("/api/v1/consultations?page=abc")
    assert bad.status_code == 400
    assert bad.headers["Access-Control-Allow-Origin"] == "*"
    assert "page" in bad.get_json()["error"]["detail"]


@pytest.fixture
def limited_app(app: Flask, test_config: dict) -> Flask:
    limited = make_app(test_config, RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    yield limited
    with limited.app_context():
        db.engine.dispose()


def test_the_whole_api_shares_one_rate_limit_per_client_and_answers_429_in_json(limited_app: Flask) -> None:
    client = limited_app.test_client()
    urls = ["/api/v1/consultations", "/api/v1/surveys", "/api/v1/openapi.json", "/api/v1/consultations"]
    statuses = [client.get(url).status_code for url in urls]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/surveys")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["status"] == 429
    assert "Retry-After" in refused.headers
    # The public HTML pages are not counted against the API's budget.
    assert client.get("/consultations/").status_code == 200
