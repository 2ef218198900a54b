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
    routes = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX)]
    assert len(routes) >= 8
    for rule in routes:
        described = paths.get(_openapi_path(rule.rule))
        assert described is not None, f"{rule.rule} is not in the OpenAPI document"
        assert set(described) == {"get"} and "GET" in rule.methods, rule.rule
        declared = {p["name"] for p in described["get"].get("parameters", []) if p.get("in") == "path"}
        assert declared == set(rule.arguments), rule.rule


def _json_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.content_type == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    error = response.get_json()["error"]
    assert error["status"] == status
    return error


def test_unknown_api_addresses_and_other_methods_get_json_errors(client) -> None:
    for address in ("/api/v1/no-such-thing", "/api/v1/", "/api/v1", "/api/v1/surveys/1/nothing"):
        assert "openapi.json" in _json_error(client.get(address), 404)["detail"]
    # Any method but GET (HEAD and OPTIONS come with it), on a real endpoint or an unknown address alike.
    for method in ("POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND"):
        for address in ("/api/v1/consultations", "/api/v1/surveys/1", "/api/v1/openapi.json"):
            refused = client.open(address, method=method)
            _json_error(refused, 405)
            assert refused.headers["Allow"] == "GET, HEAD, OPTIONS", (method, address)
    # The site's own pages keep their HTML error pages.
    assert client.get("/no-such-page").content_type.startswith("text/html")


def test_ids_beyond_32_bits_zero_or_negative_are_json_404_not_a_server_error(client) -> None:
    for number in ("0", "-1", str(2**31), str(2**63), str(2**64), "1e3"):
        for address in ("/api/v1/consultations/{}", "/api/v1/consultations/{}/units", "/api/v1/surveys/{}/results"):
            _json_error(client.get(address.format(number)), 404)
    _json_error(client.get(f"/api/v1/consultations/{2**31 - 1}/feedback"), 404)  # the largest id: just not there


def test_whole_number_parameters_outside_the_documented_range_are_json_400(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    bounds = {"type": "integer", "format": "int32", "minimum": 1, "maximum": 2**31 - 1}
    for path in ("/consultations", "/surveys"):
        (department,) = [p for p in document["paths"][path]["get"]["parameters"] if p.get("name") == "department"]
        assert department["schema"] == bounds
    for query in ("department=0", f"department={2**31}", f"department={2**63}", "department=", "department=%201",
                  "page=0", f"per_page={2**31}", f"page={2**70}"):  # fmt: skip
        for path in ("consultations", "surveys"):
            _json_error(client.get(f"/api/v1/{path}?{query}"), 400)
    for query in ("phase=", "phase=OPEN", "type=", "type=x"):
        _json_error(client.get(f"/api/v1/consultations?{query}"), 400)
    assert client.get(f"/api/v1/surveys?department={2**31 - 1}&page={2**31 - 1}").get_json()["items"] == []


def test_a_failure_inside_the_api_is_answered_in_json(test_config, monkeypatch) -> None:
    app = make_app(test_config, PROPAGATE_EXCEPTIONS=False)  # as in production: no traceback to the client

    def database_down(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("consultation.drafting.services.published_in_phase", database_down)
    error = _json_error(app.test_client().get("/api/v1/consultations"), 500)
    assert "database" not in error["detail"]
    with app.app_context():
        db.engine.dispose()


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
