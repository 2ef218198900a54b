"""The read-only open-data API under /api/v1: what every part of it shares, and its OpenAPI document.

Each feature package makes its blueprint with `api_blueprint`, handing over the OpenAPI paths and schemas it
serves; this module assembles them into /api/v1/openapi.json without importing any feature package. Every API
blueprint answers GET only, needs no session or cookie, allows any origin (the data is public), shares one rate
limit per client, answers errors in JSON, and keeps its responses in the public page cache for a few seconds, so a
crawler walking every page costs the database one query per page per cache period.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import Blueprint, Flask, Response, abort, current_app, request
from flask.blueprints import BlueprintSetupState
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema
from sqlalchemy import Select
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from core import page_cache
from core.extensions import csrf, db, limiter
from core.models import Department
from core.pagination import count_rows

API_PREFIX = "/api/v1"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
JSON_TYPE = "application/json"
_OPENAPI = "minyi_openapi"
# Ids are Integer columns, 32-bit in PostgreSQL: a larger number in a query is a database error, not "no such
# row". Ids and whole-number parameters are therefore refused above this before any query (404 in a path, 400 in
# a query string), and the OpenAPI document says so.
ID_MAX = 2**31 - 1
# The path converter of an id: /consultations/0 and /consultations/2**63 are 404 like any unknown id.
ID = f"int(min=1, max={ID_MAX})"


def _rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def _allow_any_origin(response: Response) -> Response:
    # Open data: any web page may read it; no cookie is ever needed, so credentials are not allowed.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _json_error(error: HTTPException) -> Response:
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    body = {"error": {"status": code, "title": error.name, "detail": error.description or ""}}
    response = Response(json.dumps(body, ensure_ascii=False), status=code, mimetype=JSON_TYPE)
    if isinstance(error, MethodNotAllowed):
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods or ["GET", "HEAD", "OPTIONS"]))
    return _allow_any_origin(response)


def _api_routing_error() -> Response | None:
    """An address under /api/v1 that no endpoint serves (404), or another method than GET (405), in JSON.

    Routing fails before any blueprint is known, so the site's HTML error pages would answer otherwise.
    """
    failed = request.routing_exception
    under_api = request.path == API_PREFIX or request.path.startswith(f"{API_PREFIX}/")
    # A redirect (code 3xx) is routing's answer too, not an error.
    if not under_api or not isinstance(failed, HTTPException) or (failed.code or 500) < 400:
        return None
    if failed.code == 404:
        failed.description = f"See {API_PREFIX}/openapi.json for the endpoints."
    return _json_error(failed)


def api_blueprint(
    name: str, import_name: str, *, paths: Mapping[str, Any], schemas: Mapping[str, Any] | None = None
) -> Blueprint:
    """A blueprint under /api/v1 with the API's rules, whose `paths` and `schemas` join the OpenAPI document."""
    blueprint = Blueprint(name, import_name, url_prefix=API_PREFIX)
    # One budget per client for the whole API, whichever package serves the endpoint.
    limiter.shared_limit(_rate_limit, scope="open-data-api")(blueprint)
    csrf.exempt(blueprint)  # nothing here changes anything, and no session cookie is read
    blueprint.after_request(_allow_any_origin)
    blueprint.register_error_handler(HTTPException, _json_error)
    # By code, so it wins over the site's HTML page for 500 (Flask looks up handlers by code first).
    blueprint.register_error_handler(InternalServerError, _json_error)

    document_paths(blueprint, paths, schemas or {})
    return blueprint


def document_paths(blueprint: Blueprint, paths: Mapping[str, Any], schemas: Mapping[str, Any]) -> None:
    """Add paths and schemas to the OpenAPI document when blueprint is registered (a module adding routes to it)."""

    def contribute(state: BlueprintSetupState) -> None:
        document = state.app.extensions.setdefault(_OPENAPI, {"paths": {}, "schemas": {}})
        document["paths"].update(paths)
        document["schemas"].update(schemas)

    blueprint.record_once(contribute)


# ------------------------------------------------------------------------------------------------ responses


def cached_json(key: str, build: Callable[[], Any]) -> Response:
    """`build()`'s data as a JSON response, kept in the public page cache (keyed by address and language)."""
    body = page_cache.cached_page(key, lambda: json.dumps(build(), ensure_ascii=False, separators=(",", ":")))
    return Response(body, mimetype=JSON_TYPE)


def timestamp(value: datetime | None) -> str | None:
    """An instant in RFC 3339, in UTC ("2025-03-01T16:00:00Z"); None stays None."""
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive values; they are stored in UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def department_json(department: Department) -> dict[str, Any]:
    """A department with its office contacts, which the department directory publishes too."""
    return {
        "id": department.id,
        "code": department.code,
        "name": department.name,
        "name_en": department.name_en,
        "office_phone": department.office_phone,
        "email": department.email,
        "address": department.address,
    }


def choice_arg(name: str, allowed: Sequence[str]) -> str | None:
    """A query parameter that must be one of `allowed` when given (400 otherwise, an empty one too)."""
    value = request.args.get(name)
    if value is not None and value not in allowed:
        abort(400, description=f"{name} must be one of: {', '.join(allowed)}")
    return value


def int_arg(name: str) -> int | None:
    """A whole-number query parameter from 1 to ID_MAX, when given (400 otherwise, as the document says)."""
    raw = request.args.get(name)
    if raw is None:
        return None
    # ASCII digits only: int() would also take "１", " 1" or "1_000", which the document does not allow.
    if not (raw.isascii() and raw.isdigit()):
        abort(400, description=f"{name} must be a whole number")
    value = int(raw)
    if not 1 <= value <= ID_MAX:
        abort(400, description=f"{name} must be from 1 to {ID_MAX}")
    return value


def page_params() -> tuple[int, int]:
    """`page` (from 1) and `per_page` (1 to MAX_PER_PAGE; more is cut to the maximum) of the request."""
    number = int_arg("page") or 1
    per_page = min(int_arg("per_page") or DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return number, per_page


def _paged(items: list[Any], total: int, number: int, per_page: int) -> dict[str, Any]:
    return {
        "items": items,
        "page": number,
        "per_page": per_page,
        "total": total,
        "pages": max(1, -(-total // per_page)),
    }


def paged_list(rows: Sequence[Any], convert: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """One page of rows already read, each page's rows converted to JSON by `convert`."""
    number, per_page = page_params()
    start = (number - 1) * per_page
    return _paged(convert(list(rows[start : start + per_page])), len(rows), number, per_page)


def paged_query(query: Select[Any], convert: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """One page of a query's rows (a page past the end is empty), converted to JSON by `convert`."""
    number, per_page = page_params()
    total = count_rows(query)
    rows = db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return _paged(convert(list(rows)), total, number, per_page)


# ------------------------------------------------------------------------------------------------ OpenAPI parts

# URLs are strings that the document marks as URIs (pydantic's AnyUrl would normalise them).
Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]


def component_schemas(*models: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schemas of `models`, and of the models they hold, for the document's components."""
    pairs = [(model, "serialization") for model in models]
    _, document = models_json_schema(pairs, ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
    return dict(document.get("$defs", {}))


class ErrorDetail(BaseModel):
    status: int
    title: str
    detail: str


class ErrorBody(BaseModel):
    """Every error is answered in this shape, in JSON."""

    error: ErrorDetail


class PageInfo(BaseModel):
    """Where a page of items is in the whole list."""

    page: int
    per_page: int
    total: int
    pages: int


class ApiDepartment(BaseModel):
    """A district department and its public office contacts."""

    id: int
    code: str
    name: str
    name_en: str
    office_phone: str
    email: str
    address: str


# Shared pieces the packages' path descriptions refer to with $ref.
PAGE_PARAMETERS = [{"$ref": "#/components/parameters/page"}, {"$ref": "#/components/parameters/per_page"}]
ERROR_RESPONSES = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "429": {"$ref": "#/components/responses/TooManyRequests"},
    "500": {"$ref": "#/components/responses/ServerError"},
}
NOT_FOUND = {"404": {"$ref": "#/components/responses/NotFound"}}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
TIME = {"type": "string", "format": "date-time"}


def ref(schema: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{schema}"}


def ok(description: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    """A 200 response whose JSON body follows `schema`."""
    return {"200": {"description": description, "content": {JSON_TYPE: {"schema": dict(schema)}}}}


def paged_schema(item_schema: str) -> dict[str, Any]:
    """The schema of a page of items (see `paged_query`)."""
    items = {"type": "object", "properties": {"items": {"type": "array", "items": ref(item_schema)}}}
    return {"allOf": [ref("PageInfo"), {**items, "required": ["items"]}]}


# What int_arg and the ID converter accept; anything else is answered 400 (query) or 404 (path).
WHOLE_NUMBER = {"type": "integer", "format": "int32", "minimum": 1, "maximum": ID_MAX}


def path_id(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": WHOLE_NUMBER}


def query_param(name: str, description: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": dict(schema)}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON_TYPE: {"schema": ref("ErrorBody")}}}


_COMPONENTS: dict[str, Any] = {
    "parameters": {
        "page": query_param(
            "page",
            "Page number, from 1; a page past the end is empty.",
            {**WHOLE_NUMBER, "default": 1},
        ),
        "per_page": query_param(
            "per_page",
            f"Items per page; more than {MAX_PER_PAGE} is cut to {MAX_PER_PAGE}.",
            {**WHOLE_NUMBER, "default": DEFAULT_PER_PAGE},
        ),
    },
    "responses": {
        "BadRequest": _error_response("A query parameter has a value that is not allowed."),
        "NotFound": _error_response(
            "No such public item (never published, not yet public, or an id outside 1 to 2^31−1)."
        ),
        "TooManyRequests": _error_response("Too many requests from this client; retry after the Retry-After seconds."),
        "ServerError": _error_response("The site could not answer (e.g. its database is down); retry later."),
    },
    "schemas": component_schemas(ErrorBody, PageInfo, ApiDepartment),
}


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every API endpoint the packages registered."""
    contributed = app.extensions.get(_OPENAPI, {"paths": {}, "schemas": {}})
    components = {**_COMPONENTS, "schemas": {**_COMPONENTS["schemas"], **contributed["schemas"]}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Minyi open data",
            "version": "1.0.0",
            "description": (
                "Read-only public data of the district's consultations on draft policies and of its surveys: "
                "published notices and drafts, published feedback tables (names masked, no contact details of "
                "residents), and published survey results (small counts suppressed). No authentication; GET only. "
                "Every error is JSON (the Error schema): 404 for any other address under the API, 405 with an "
                "Allow header for any other method."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "paths": dict(sorted(contributed["paths"].items())),
        "components": components,
    }


# ------------------------------------------------------------------------------------------------ endpoints

_PATHS = {
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApiDocument",
            "summary": "This OpenAPI document",
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 document.",
                    "content": {JSON_TYPE: {"schema": {"type": "object"}}},
                },
                **ERROR_RESPONSES,
            },
        }
    }
}
bp = api_blueprint("api", __name__, paths=_PATHS)
bp.before_app_request(_api_routing_error)


@bp.route("/openapi.json")
def openapi() -> Response:
    return cached_json("openapi", lambda: openapi_document(current_app))
