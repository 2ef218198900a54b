"""The rules of a consultation's life, exercised through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultation.comments import commenting
from consultation.comments.commenting import CommentInput
from consultation.drafting import services
from consultation.models import Channel, ConsultationStatus, RespondentType, SecrecyResult
from core.accounts import grant_role
from core.audit import AuditEvent
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import days_from_now, last_day_from_today, make_consultation
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


@pytest.fixture
def department():
    return make_department()


@pytest.fixture
def editor(department):
    return make_user(Role.EDITOR, department)


@pytest.fixture
def approver(department):
    return make_user(Role.APPROVER, department)


def _ready_draft(department, editor, **fields):
    values = {"start_at": days_from_now(1), "end_at": last_day_from_today(40), **fields}
    return make_consultation(department, status=ConsultationStatus.DRAFT, created_by=editor, **values)


def test_submission_is_refused_without_a_drafting_explanation(department, editor):
    consultation = _ready_draft(department, editor, explanation="  ")
    with pytest.raises(services.WorkflowError) as refused:
        services.submit_for_review(consultation, editor)
    assert "explanation_missing" in refused.value.problems
    assert consultation.status is ConsultationStatus.DRAFT


def test_an_approver_who_prepared_the_consultation_cannot_approve_it(department, editor):
    # The same person also holds the approver role in the department.
    grant_role(editor, Role.APPROVER, department, actor=None)
    consultation = _ready_draft(department, editor)
    services.submit_for_review(consultation, editor)
    with pytest.raises(services.WorkflowError) as refused:
        services.approve(consultation, editor, SecrecyResult.CLEARED, "")
    assert refused.value.problems == ["same_person"]
    assert consultation.status is ConsultationStatus.IN_REVIEW


def test_another_approver_records_the_secrecy_review_and_publishes(department, editor, approver):
    consultation = _ready_draft(department, editor)
    services.submit_for_review(consultation, editor)
    services.approve(consultation, approver, SecrecyResult.CLEARED, "不涉密")
    db.session.flush()
    assert consultation.status is ConsultationStatus.SCHEDULED
    assert consultation.secrecy_reviewer_id == approver.id
    assert consultation.phase() == "upcoming"  # opens by itself at its start
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"consultation.submit", "consultation.approve"} <= actions


def test_a_period_below_the_minimum_needs_a_reason_for_types_that_allow_shortening(department, editor):
    consultation = _ready_draft(department, editor, end_at=last_day_from_today(10))
    with pytest.raises(services.WorkflowError) as refused:
        services.submit_for_review(consultation, editor)
    assert "reason_required" in refused.value.problems

    consultation.shortening_reason = "上级要求年底前出台，时间紧迫。"
    services.submit_for_review(consultation, editor)
    assert consultation.status is ConsultationStatus.IN_REVIEW


def test_documents_affecting_market_entities_cannot_be_shortened_even_with_a_reason(department, editor):
    consultation = _ready_draft(department, editor, end_at=last_day_from_today(10), doc_type="normative_doc_market")
    consultation.shortening_reason = "时间紧迫"
    with pytest.raises(services.WorkflowError) as refused:
        services.update_consultation(consultation, editor, {"title": "新标题"})
    assert "shortening_not_allowed" in refused.value.problems
    assert consultation.title != "新标题"  # a refused save changes nothing


def test_an_open_period_is_extended_with_a_logged_reason_but_never_shortened(department, editor):
    consultation = make_consultation(department, phase="open")
    old_end = consultation.end_at
    with pytest.raises(services.WorkflowError) as refused:
        services.extend(consultation, editor, old_end - timedelta(days=3), "提前结束")
    assert refused.value.problems == ["shortening_forbidden"]
    with pytest.raises(services.WorkflowError) as refused:
        services.extend(consultation, editor, old_end + timedelta(days=7), " ")
    assert refused.value.problems == ["reason_required"]

    services.extend(consultation, editor, old_end + timedelta(days=7), "应企业要求延长")
    db.session.flush()
    assert consultation.end_at == old_end + timedelta(days=7)
    [extension] = consultation.extensions
    assert (extension.old_end, extension.reason, extension.by_id) == (old_end, "应企业要求延长", editor.id)


def test_a_closed_consultation_cannot_be_extended(department, editor):
    consultation = make_consultation(department, phase="closed")
    with pytest.raises(services.WorkflowError):
        services.extend(consultation, editor, days_from_now(10), "再征求一次")


def test_a_new_round_copies_the_draft_and_links_the_previous_round(department, editor):
    closed = make_consultation(department, phase="closed")
    new = services.start_new_round(closed, editor)
    db.session.flush()
    assert (new.round_number, new.previous_round_id, new.status) == (2, closed.id, ConsultationStatus.DRAFT)
    assert [u.key for u in new.units] == [u.key for u in closed.units]
    assert new.start_at is None and new.end_at is None


def test_a_new_round_cannot_start_while_the_consultation_is_open(department, editor):
    with pytest.raises(services.WorkflowError):
        services.start_new_round(make_consultation(department, phase="open"), editor)


def _comment(consultation, unit_key, name, key):
    data = CommentInput(
        content="建议修改。", respondent_type=RespondentType.INDIVIDUAL, author_name=name, unit_key=unit_key
    )
    return commenting.submit_online_comment(consultation, data, key)


def test_comments_are_counted_per_unit_and_participants_once_each(department):
    consultation = make_consultation(department)
    _comment(consultation, "a3", "张三", "key-aaaaaaaaaaaaaaaa1")
    _comment(consultation, "a3", "李四", "key-aaaaaaaaaaaaaaaa2")
    _comment(consultation, "a1", "张三", "key-aaaaaaaaaaaaaaaa3")
    _comment(consultation, None, "王五", "key-aaaaaaaaaaaaaaaa4")
    assert commenting.unit_comment_counts(consultation) == {"a3": 2, "a1": 1, None: 1}
    assert commenting.participant_count(consultation) == 3


def test_an_offline_comment_counts_like_an_online_one(department, editor):
    consultation = make_consultation(department)
    data = CommentInput(
        content="来信意见", respondent_type=RespondentType.ENTERPRISE, author_name="某公司", channel=Channel.LETTER
    )
    comment = commenting.record_offline_comment(consultation, data, editor)
    assert comment.recorded_by_id == editor.id
    assert commenting.unit_comment_counts(consultation) == {None: 1}


def test_receipt_numbers_are_typable_and_found_however_they_are_typed():
    number = commenting.new_receipt_number(days_from_now(0))
    assert number.startswith("ZQ") and not set(number[11:]) & set("0O1IL")
    typed = " " + number.lower().replace("-", " ") + " "
    assert commenting.normalise_receipt(typed) == number
    assert commenting.normalise_receipt("ZQ-not-a-receipt") is None
