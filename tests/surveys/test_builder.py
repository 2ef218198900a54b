"""The survey builder and review through the staff pages, as editors and approvers use them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.audit import AuditEvent
from core.extensions import db
from surveys.models import Question, QuestionType, ReviewStatus, Survey
from surveys.taking import responding
from tests.conftest import AuthActions
from tests.factories import make_department, make_user
from tests.surveys.helpers import make_survey

T = QuestionType
SETTINGS = {
    "title": "东洲区公交出行调查", "purpose": "了解居民出行需求", "contact_phone": "024-56620012",
    "starts_at": "2025-01-01T09:00", "ends_at": "2099-12-31T17:00", "anonymous": "y",
}  # fmt: skip


@pytest.fixture
def editor(app: Flask, client: FlaskClient, auth: AuthActions) -> Any:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    department = make_department()
    return auth.login_as("editor", department)


def _question(client: FlaskClient, survey: Survey, **fields: Any) -> Any:
    data = {"page_id": survey.pages[0].id, "type": "single", "text": "问题", "show_if": "", "validation": "", **fields}
    return client.post(f"/manage/surveys/{survey.id}/questions/new", data=data)


def test_editor_creates_a_survey_and_adds_questions_with_plain_forms(editor: Any, client: FlaskClient) -> None:
    department_id = editor.memberships[0].department_id
    response = client.post("/manage/surveys/new", data={**SETTINGS, "department_id": department_id})
    assert response.status_code == 302
    survey = db.session.scalar(db.select(Survey))
    assert survey.title == "东洲区公交出行调查" and survey.starts_at.hour == 1  # 09:00 Beijing is 01:00 UTC
    assert _question(client, survey, code="mode", options="公交\n地铁\nbike=自行车").status_code == 302
    assert (
        _question(client, survey, code="bus_line", type="short_text", show_if="selected(${mode}, '1')").status_code
        == 302
    )
    db.session.expire_all()
    mode, bus_line = survey.questions
    assert [(o.code, o.label) for o in mode.options] == [("1", "公交"), ("2", "地铁"), ("bike", "自行车")]
    assert bus_line.show_if_tree == {"call": "selected", "args": [{"ref": "mode"}, {"lit": "1"}]}
    page = client.get(f"/manage/surveys/{survey.id}").text
    assert "bus_line" in page and "Move up" in page


def test_wrong_condition_is_refused_with_a_marker_at_its_position(editor: Any, client: FlaskClient) -> None:
    survey = make_survey([[("age", T.NUMBER, {})]], department=editor.memberships[0].department, editor=editor,
                         approved=False)  # fmt: skip
    db.session.commit()
    response = _question(client, survey, code="job", show_if="${age} >= 18 and ${agee} < 60")
    assert response.status_code == 200 and "condition-error" in response.text
    assert "Unknown question" in response.text and "agee" in response.text
    # The marker sits on the character where the parser stopped: the '$' of ${agee}, character 18.
    assert "<code>${age} &gt;= 18 and <mark>$</mark>{agee} &lt; 60</code>" in response.text
    assert "at character 18" in response.text
    assert 'value="${age} &gt;= 18 and ${agee} &lt; 60"' in response.text  # what was typed is kept
    assert db.session.scalar(db.select(Question).where(Question.code == "job")) is None


def test_move_buttons_reorder_questions(editor: Any, client: FlaskClient) -> None:
    survey = make_survey([[("a", T.SHORT_TEXT, {}), ("b", T.SHORT_TEXT, {}), ("c", T.SHORT_TEXT, {})]],
                         department=editor.memberships[0].department, editor=editor, approved=False)  # fmt: skip
    db.session.commit()
    c = survey.questions[2]
    assert client.post(f"/manage/surveys/{survey.id}/questions/{c.id}/up").status_code == 302
    db.session.expire_all()
    assert [q.code for q in survey.questions] == ["a", "c", "b"]
    client.post(f"/manage/surveys/{survey.id}/questions/{survey.questions[0].id}/duplicate")
    db.session.expire_all()
    assert [q.code for q in survey.questions] == ["a", "a_2", "c", "b"]


def test_deleting_an_answered_question_is_refused_with_a_message(editor: Any, client: FlaskClient) -> None:
    survey = make_survey([[("q1", T.SHORT_TEXT, {})]], department=editor.memberships[0].department, editor=editor)
    responding.record_response(survey, "tok", "key", {"q1": "答"}, {})
    survey.status = ReviewStatus.DRAFT
    db.session.commit()
    response = client.post(f"/manage/surveys/{survey.id}/questions/{survey.questions[0].id}/delete")
    assert "already has answers" in client.get(response.location).text
    changed = client.post(
        f"/manage/surveys/{survey.id}/questions/{survey.questions[0].id}",
        data={"page_id": survey.pages[0].id, "type": "number", "code": "q1", "text": "改成数字", "show_if": "",
              "validation": ""},
    )  # fmt: skip
    assert changed.status_code == 200 and "already has answers" in changed.text
    db.session.expire_all()
    assert survey.questions[0].type is T.SHORT_TEXT


def test_editor_of_another_department_cannot_open_the_builder(editor: Any, client: FlaskClient) -> None:
    survey = make_survey([[("q1", T.SHORT_TEXT, {})]], approved=False)  # another department
    db.session.commit()
    assert client.get(f"/manage/surveys/{survey.id}").status_code == 403
    assert client.post(f"/manage/surveys/{survey.id}/submit").status_code == 403


def test_review_by_another_approver_publishes_the_survey(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    department = make_department()
    survey = make_survey([[("q1", T.SHORT_TEXT, {})]], department=department, approved=False)
    approver = make_user("approver", department)
    db.session.commit()
    auth.login(survey.created_by.email)
    client.post(f"/manage/surveys/{survey.id}/submit")
    auth.logout()
    auth.login(approver.email)
    assert "Waiting for your review" in client.get("/manage/").text
    returned = client.post(f"/manage/surveys/{survey.id}/review", data={"decision": "return", "note": ""})
    assert "Say why" in client.get(returned.location).text
    client.post(f"/manage/surveys/{survey.id}/review", data={"decision": "approve", "note": "同意"})
    db.session.expire_all()
    assert survey.status is ReviewStatus.APPROVED and survey.reviewed_by_id == approver.id
    assert client.get(f"/surveys/{survey.id}").status_code == 200
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"survey.submit", "survey.approve"} <= actions


def test_preview_shows_the_page_as_residents_see_it(editor: Any, client: FlaskClient) -> None:
    survey = make_survey([[("q1", T.SCALE, {"text": "您满意吗？"})], [("q2", T.SHORT_TEXT, {})]],
                         department=editor.memberships[0].department, editor=editor, approved=False)  # fmt: skip
    db.session.commit()
    page = client.get(f"/manage/surveys/{survey.id}/preview").text
    assert "phone-frame" in page and "您满意吗？" in page and "Page 1 of 2" in page
    assert 'name="q1"' in page and "?page=1" in page
