"""Schemathesis walks the open-data API from its own OpenAPI document, on the demo data.

Every input the document allows gets an answer it documents: no 5xx, a documented status code and content type,
a body that follows the schema, 405 with an Allow header for any other method. The ids of the demo's
consultations and survey exist (the generator tries 1, the smallest id the document allows), so 200 answers are
checked as well as 400 and 404.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from app import create_app
from core import demo, integrity
from core.extensions import db
from surveys.models import Survey
from tests.conftest import _empty_all_tables, make_app


def _document_app() -> Flask:
    """An app that only serves the OpenAPI document, loaded when the tests are collected (it reads no table)."""
    return create_app({"TESTING": True, "SECRET_KEY": "openapi", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


# The demo has three consultations (the third with its feedback published) and one survey.
DEMO_IDS = 3
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app())


@schema.hook
def before_generate_path_parameters(context: schemathesis.HookContext, strategy: Any) -> Any:
    """Many generated ids are ones the demo created (1 to 3), so 200 answers are checked as well as 404."""
    names = [parameter.name for parameter in context.operation.path_parameters]
    existing = st.fixed_dictionaries({name: st.integers(min_value=1, max_value=DEMO_IDS) for name in names})
    return st.one_of(strategy, existing)


@pytest.fixture(scope="module")
def api_app(_schema: None, test_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The API on the test database, filled with the demo data once for every operation (it changes nothing)."""
    app = make_app(test_config)
    app.instance_path = str(tmp_path_factory.mktemp("instance"))  # the demo writes its accounts' passwords there
    with app.app_context():
        list(demo.load())
        for survey in db.session.scalars(db.select(Survey)):
            survey.results_published = True  # so /surveys/{id}/results answers 200 too
            integrity.seal("survey.schedule", survey)  # as an approver publishing them on the results page does
        db.session.commit()
        db.session.remove()
    # Each request runs in its own application context, as under gunicorn.
    yield app
    with app.app_context():
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_input_the_openapi_document_allows_gets_a_documented_answer(
    case: schemathesis.Case, api_app: Flask
) -> None:
    case.call_and_validate(app=api_app)
