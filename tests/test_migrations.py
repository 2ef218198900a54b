"""The migrations build the schema the models describe: `flask db upgrade` then `flask db check` finds no drift."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import check, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from app import create_app
from core.extensions import db
from core.search_index import include_name

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path):
    """A database with nothing in it: a new SQLite file, or a new schema on the PostgreSQL test server."""
    if make_url(database_url).get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    schema = f"migration_check_{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_upgrade_to_head_leaves_no_drift_from_the_models(empty_database_url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            # include_name as the app gives it to `flask db check`: the search index's FTS5 table / GIN index
            context = MigrationContext.configure(
                connection, opts={"render_as_batch": True, "include_name": include_name}
            )
            drift = compare_metadata(context, db.metadata)
        # `flask db check` runs the same comparison; it exits non-zero on drift.
        check(directory=MIGRATIONS)
        db.engine.dispose()
    assert drift == []


def test_survey_key_migration_detaches_surveys_of_missing_consultations_and_keeps_their_pages(
    empty_database_url: str,
) -> None:
    from tests.consultation.conftest import make_consultation
    from tests.factories import make_department
    from tests.surveys.helpers import make_survey

    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x", "TESTING": True})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="60f9c5d7515a")  # before surveys.consultation_id had its key
        department = make_department()
        consultation = make_consultation(department)
        linked = make_survey([[]], department=department, consultation_id=consultation.id)
        orphan = make_survey([[]], department=department, consultation_id=consultation.id + 1000)
        ids = consultation.id, linked.id, orphan.id
        db.session.commit()
        db.session.remove()

        upgrade(directory=MIGRATIONS)
        rows = db.session.execute(text("SELECT id, consultation_id FROM surveys ORDER BY id")).all()
        pages = db.session.scalar(text("SELECT count(*) FROM survey_pages"))
        with pytest.raises(IntegrityError):  # enforced again once the migrations are done
            db.session.execute(text("UPDATE surveys SET consultation_id = 999999"))
        db.session.remove()
        db.engine.dispose()
    # The orphan is detached rather than refused; rebuilding the table on SQLite cascades to no page.
    assert rows == [(ids[1], ids[0]), (ids[2], None)]
    assert pages == 2
