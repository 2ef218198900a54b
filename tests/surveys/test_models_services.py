"""The survey rules without HTTP: conditions checked at save time, answers protected, review, purge, cap."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect

from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from surveys.builder import options, review, services
from surveys.builder.services import BuilderError, ConditionError
from surveys.models import Answer, DedupToken, Phase, QuestionType, Response, ResumeDraft, ReviewStatus
from surveys.taking import responding
from tests.factories import make_user
from tests.surveys.helpers import make_survey, question_data

CHOICE = QuestionType.SINGLE


def _answer(survey: Any, values: dict[str, Any], browser: str = "browser-1") -> responding.Outcome:
    return responding.record_response(survey, browser, f"key-{browser}", values, {})


def test_condition_with_a_typo_is_refused_at_save_time_with_its_position(app: Flask) -> None:
    survey = make_survey([[("age", QuestionType.NUMBER, {})]], approved=False)
    source = "${age} >= 18 and ${age} <"
    with pytest.raises(ConditionError) as refused:
        services.save_question(survey, survey.pages[0], None, question_data("job", CHOICE, show_if=source))
    assert refused.value.field == "show_if"
    assert refused.value.position == len(source)  # the parser stopped at the missing value after '<'


def test_condition_may_only_read_earlier_questions(app: Flask) -> None:
    survey = make_survey([[("first", CHOICE, {"options": ["是", "否"]})]], approved=False)
    with pytest.raises(ConditionError) as refused:
        services.save_question(survey, survey.pages[0], None, question_data("second", CHOICE, show_if="${third} = '1'"))
    assert refused.value.position == 0
    assert "third" in refused.value.message


def test_moving_a_question_above_the_one_its_condition_reads_is_refused(app: Flask) -> None:
    survey = make_survey(
        [[("car", CHOICE, {"options": ["有", "无"]}), ("parking", CHOICE, {"show_if": "${car} = '1'"})]],
        approved=False,
    )
    parking = survey.questions[1]
    with pytest.raises(BuilderError, match="car"):
        services.move_question(parking, -1)


def test_a_question_with_answers_keeps_its_type_and_cannot_be_deleted(app: Flask) -> None:
    survey = make_survey([[("street", CHOICE, {"options": ["新屯", "搭连"]}), ("note", QuestionType.LONG_TEXT, {})]])
    assert _answer(survey, {"street": "1"}) is responding.Outcome.STORED
    survey.status = ReviewStatus.DRAFT
    street, note = survey.questions
    with pytest.raises(BuilderError, match="不能更改题型"):
        services.save_question(survey, street.page, street, question_data("street", QuestionType.MULTIPLE))
    with pytest.raises(BuilderError, match="已有答卷，不能删除"):
        services.delete_question(street)
    with pytest.raises(BuilderError, match="已有答卷，不能删除"):
        options.delete_option(street.options[0])
    options.delete_option(street.options[1])  # nobody chose 搭连: it may go
    services.delete_question(note)  # no answers either
    assert [q.code for q in survey.questions] == ["street"]
    assert [o.label for o in street.options] == ["新屯"]


def test_builder_changes_are_audited(app: Flask) -> None:
    survey = make_survey([[("q1", CHOICE, {"options": ["甲", "乙"]})]], approved=False)
    options.move_option(survey.questions[0].options[1], -1)
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"survey.create", "survey.question_create", "survey.option_add", "survey.option_move"} <= actions


def test_approval_needs_another_approver_of_the_same_department(app: Flask) -> None:
    survey = make_survey([[("q1", QuestionType.SHORT_TEXT, {})]], approved=False)
    editor = survey.created_by
    review.submit(survey, editor)
    assert survey.status is ReviewStatus.IN_REVIEW
    both = make_user("editor", survey.department)  # an approver who also submitted may not approve
    from core.accounts import grant_role
    from core.models import Role

    grant_role(both, Role.APPROVER, survey.department, actor=None)
    survey.submitted_by_id = both.id
    with pytest.raises(BuilderError):
        review.approve(survey, both)
    outsider = make_user("approver")  # another department
    with pytest.raises(BuilderError):
        review.approve(survey, outsider)
    approver = make_user("approver", survey.department)
    with pytest.raises(BuilderError):
        review.return_for_changes(survey, approver, "  ")
    review.approve(survey, approver, "同意发布")
    assert survey.status is ReviewStatus.APPROVED and survey.reviewed_by_id == approver.id
    assert survey.phase() is Phase.OPEN
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "survey.approve")) is not None


def test_approved_survey_follows_the_clock(app: Flask) -> None:
    survey = make_survey([[("q1", QuestionType.SHORT_TEXT, {})]])
    now = utcnow()
    assert survey.phase(now - timedelta(days=2)) is Phase.SCHEDULED
    assert survey.phase(now) is Phase.OPEN
    assert survey.phase(now + timedelta(days=11)) is Phase.CLOSED


def test_responses_and_answers_have_no_column_that_identifies_a_person(app: Flask) -> None:
    for model in (Response, Answer):
        columns = {column.key for column in inspect(model).columns}
        assert not {c for c in columns if any(word in c for word in ("ip", "user", "account", "token", "agent"))}
    survey = make_survey([[("q1", QuestionType.SHORT_TEXT, {})]])
    _answer(survey, {"q1": "好"})
    stored = db.session.scalar(db.select(Response))
    assert stored.submitted_at.minute == 0 and stored.submitted_at.second == 0  # not matchable to a log line


def test_the_same_browser_is_refused_a_second_response_and_a_retry_is_stored_once(app: Flask) -> None:
    survey = make_survey([[("q1", QuestionType.SHORT_TEXT, {})]])
    assert responding.record_response(survey, "tok", "key-1", {"q1": "一"}, {}) is responding.Outcome.STORED
    assert responding.record_response(survey, "tok", "key-1", {"q1": "一"}, {}) is responding.Outcome.REPEATED
    assert responding.record_response(survey, "tok", "key-2", {"q1": "二"}, {}) is (
        responding.Outcome.ALREADY_RESPONDED
    )
    assert responding.record_response(survey, "other", "key-3", {"q1": "三"}, {}) is responding.Outcome.STORED
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 2
    stored_hash = db.session.scalar(db.select(DedupToken.token_hash).where(DedupToken.survey_id == survey.id))
    assert "tok" not in stored_hash and len(stored_hash) == 64


def test_a_response_stored_meanwhile_by_the_same_browser_is_found_not_stored_again(app: Flask) -> None:
    """The view checked the browser before a concurrent request of the same browser stored first: the token, taken
    by then, is found without an error that would undo the transaction, and the response is not stored twice."""
    survey = make_survey([[("q1", QuestionType.SHORT_TEXT, {})]])
    assert responding.record_response(survey, "tok", "key-1", {"q1": "一"}, {}) is responding.Outcome.STORED
    again = responding.record_response(survey, "tok", "key-1", {"q1": "一"}, {}, browser_checked=True)
    other = responding.record_response(survey, "tok", "key-2", {"q1": "二"}, {}, browser_checked=True)
    assert (again, other) == (responding.Outcome.REPEATED, responding.Outcome.ALREADY_RESPONDED)
    db.session.commit()  # the transaction was not spoilt
    assert db.session.scalar(db.select(db.func.count(Response.id))) == 1


def test_response_cap_closes_the_survey(app: Flask) -> None:
    survey = make_survey([[("q1", QuestionType.SHORT_TEXT, {})]], response_cap=2)
    assert _answer(survey, {"q1": "a"}, "t1") is responding.Outcome.STORED
    assert survey.phase() is Phase.OPEN
    assert _answer(survey, {"q1": "b"}, "t2") is responding.Outcome.STORED
    assert survey.phase() is Phase.CLOSED
    assert _answer(survey, {"q1": "c"}, "t3") is responding.Outcome.CLOSED
    assert responding.response_count(survey) == 2


def test_closing_purges_dedup_tokens_and_resume_drafts_but_keeps_answers(app: Flask) -> None:
    survey = make_survey([[("q1", QuestionType.SHORT_TEXT, {})]])
    other = make_survey([[("q1", QuestionType.SHORT_TEXT, {})]])
    for target in (survey, other):
        _answer(target, {"q1": "a"})
        responding.save_draft(target, "resume-1", {"q1": "draft"}, {}, 0)
    assert responding.purge_closed() == []  # both still open
    survey.ends_at = utcnow() - timedelta(minutes=1)
    assert responding.purge_closed() == [survey]
    remaining = {row.survey_id for row in db.session.scalars(db.select(DedupToken))}
    drafts = {row.survey_id for row in db.session.scalars(db.select(ResumeDraft))}
    assert remaining == {other.id} and drafts == {other.id}
    assert responding.response_count(survey) == 1
    assert responding.purge_closed() == []  # once only
