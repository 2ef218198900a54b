"""Commenters' contact details are deleted the promised months after the feedback, and only then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consultation.comments import retention
from consultation.handling.models import ConsultationFeedback
from consultation.models import Comment
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from tests.consultation.conftest import make_consultation
from tests.consultation.handling_helpers import add_comment
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


def _with_feedback(published_at: datetime | None, **comment_fields):
    consultation = make_consultation(make_department(), phase="closed")
    comment = add_comment(
        consultation, "建议保留线下意见箱。", phone="13904135566", email="li@example.cn", **comment_fields
    )
    db.session.add(ConsultationFeedback(consultation_id=consultation.id, published_at=published_at))
    db.session.commit()
    return consultation, comment


def test_months_are_calendar_months_and_month_ends_stay_in_their_month():
    assert retention.months_before(datetime(2026, 8, 31, 9, tzinfo=UTC), 6) == datetime(2026, 2, 28, 9, tzinfo=UTC)
    assert retention.months_before(datetime(2026, 3, 15, tzinfo=UTC), 6) == datetime(2025, 9, 15, tzinfo=UTC)


def test_contacts_go_six_months_after_the_feedback_and_the_comment_stays(app, runner):
    old, old_comment = _with_feedback(utcnow() - timedelta(days=200), notify_me=True)
    _recent, recent_comment = _with_feedback(utcnow() - timedelta(days=120))
    _unpublished, unpublished_comment = _with_feedback(None)

    dry = runner.invoke(args=["consultation", "purge-contacts", "--dry-run"])
    assert dry.exit_code == 0 and "1 consultations would" in dry.output and old.title in dry.output
    db.session.expire_all()
    assert db.session.get(Comment, old_comment.id).phone == "13904135566", "a dry run deletes nothing"

    result = runner.invoke(args=["consultation", "purge-contacts"])
    assert result.exit_code == 0 and "contact details deleted in 1 consultations" in result.output
    db.session.expire_all()
    purged = db.session.get(Comment, old_comment.id)
    assert (purged.phone, purged.email, purged.notify_me) == ("", "", False)
    assert purged.content == "建议保留线下意见箱。" and purged.author_name == "张晓明"
    for kept in (recent_comment, unpublished_comment):
        assert db.session.get(Comment, kept.id).phone == "13904135566"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "consultation.contacts_purged"))
    assert event.object_id == str(old.id) and event.detail["comments"] == 1
    assert "13904135566" not in str(event.detail) and "li@example.cn" not in str(event.detail)
    assert retention.contacts_due() == [], "a second run finds nothing left to delete"


def test_the_retention_period_is_configurable(app):
    _with_feedback(utcnow() - timedelta(days=40))
    app.config["CONSULTATION_CONTACT_RETENTION_MONTHS"] = 1
    assert [item.comments_with_contacts for item in retention.contacts_due()] == [1]
    app.config["CONSULTATION_CONTACT_RETENTION_MONTHS"] = 2
    assert retention.contacts_due() == []


def test_the_privacy_notice_and_a_failed_lookup_state_the_configured_period(app, client):
    app.config["CONSULTATION_CONTACT_RETENTION_MONTHS"] = 9
    en = {"Accept-Language": "en"}
    assert "deleted 9 months after the feedback is published" in client.get("/privacy", headers=en).text
    lookup = client.post("/consultations/receipt", data={"receipt": "ZQ20261126-K7MQ3X", "contact": "13904135566"})
    assert "9个月后删除" in lookup.text
