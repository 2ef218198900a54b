"""A survey attached to a consultation (part of its public-participation record) names one that exists; when the
consultation goes, the survey stays, unattached. The database enforces it on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from surveys.models import Survey
from tests.conftest import AuthActions
from tests.consultation.conftest import make_consultation
from tests.factories import make_department
from tests.surveys.helpers import make_survey

SETTINGS = {
    "title": "电动自行车充电需求调查", "purpose": "了解居民充电需求", "contact_phone": "024-56620012",
    "starts_at": "2025-01-01T09:00", "ends_at": "2099-12-31T17:00", "anonymous": "y",
}  # fmt: skip


def test_a_survey_cannot_name_a_consultation_that_does_not_exist(app: Any) -> None:
    department = make_department()
    consultation = make_consultation(department)
    db.session.commit()
    with pytest.raises(IntegrityError):
        make_survey([[]], department=department, consultation_id=consultation.id + 1)
    db.session.rollback()
    assert db.session.scalar(db.select(Survey)) is None


def test_deleting_a_consultation_leaves_its_survey_standing_unattached(app: Any) -> None:
    department = make_department()
    consultation = make_consultation(department)
    survey = make_survey([[]], department=department, consultation_id=consultation.id)
    db.session.commit()

    db.session.delete(consultation)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).consultation_id is None
    assert len(survey.pages) == 1


def test_editor_typing_a_consultation_number_that_does_not_exist_is_told_so(
    app: Any, client: FlaskClient, auth: AuthActions
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    department = make_department()
    consultation = make_consultation(department)
    auth.login_as("editor", department)
    data = {**SETTINGS, "department_id": department.id}

    refused = client.post("/manage/surveys/new", data={**data, "consultation_id": consultation.id + 1})
    assert refused.status_code == 200 and "There is no consultation with this number." in refused.text
    assert db.session.scalar(db.select(Survey)) is None

    assert client.post("/manage/surveys/new", data={**data, "consultation_id": consultation.id}).status_code == 302
    assert db.session.scalar(db.select(Survey.consultation_id)) == consultation.id


def test_editor_cannot_attach_a_survey_to_another_departments_consultation(
    app: Any, client: FlaskClient, auth: AuthActions
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    own, other = make_department(), make_department()
    theirs = make_consultation(other)
    auth.login_as("editor", own)

    refused = client.post(
        "/manage/surveys/new", data={**SETTINGS, "department_id": own.id, "consultation_id": theirs.id}
    )
    assert refused.status_code == 200 and "This consultation belongs to another department." in refused.text
    assert 'value="电动自行车充电需求调查"' in refused.text  # what the editor typed is kept
    assert db.session.scalar(db.select(Survey)) is None
