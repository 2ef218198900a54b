"""Retiring out-of-date consultations: a dry run first, then archived, still public, never mid-review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultation.handling.models import ConsultationFeedback
from consultation.legality import archive
from consultation.legality.models import LegalityReview, ReviewState
from consultation.models import Consultation, ConsultationStatus
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from tests.consultation.conftest import make_consultation
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}


def _closed(days_since_feedback: int | None, status=ConsultationStatus.FEEDBACK_PUBLISHED, **fields) -> Consultation:
    consultation = make_consultation(make_department(), phase="closed", status=status, **fields)
    published_at = None if days_since_feedback is None else utcnow() - timedelta(days=days_since_feedback)
    db.session.add(ConsultationFeedback(consultation_id=consultation.id, published_at=published_at))
    db.session.flush()
    return consultation


def _review(consultation: Consultation, state: ReviewState) -> None:
    db.session.add(
        LegalityReview(
            consultation_id=consultation.id, state=state, status_before=ConsultationStatus.FEEDBACK_PUBLISHED
        )
    )


def test_the_archive_command_shows_first_then_archives_only_what_is_due(app, client, runner):
    old = _closed(400)
    recent = _closed(100)
    passed = _closed(500, status=ConsultationStatus.SUBMITTED_FOR_REVIEW, title="《已通过审查的办法》")
    _review(passed, ReviewState.PASSED)
    pending = _closed(500, status=ConsultationStatus.SUBMITTED_FOR_REVIEW, title="《审查中的办法》")
    _review(pending, ReviewState.RECEIVED)
    db.session.commit()

    dry = runner.invoke(args=["consultation", "archive", "--dry-run"])
    assert dry.exit_code == 0 and "2 consultations would be archived" in dry.output
    assert "《已通过审查的办法》" in dry.output and "《审查中的办法》" not in dry.output
    db.session.expire_all()
    assert db.session.get(Consultation, old.id).status is ConsultationStatus.FEEDBACK_PUBLISHED

    result = runner.invoke(args=["consultation", "archive"])
    assert result.exit_code == 0 and "2 consultations archived" in result.output
    db.session.expire_all()
    statuses = {c.id: db.session.get(Consultation, c.id).status for c in (old, recent, passed, pending)}
    assert statuses == {
        old.id: ConsultationStatus.ARCHIVED,
        recent.id: ConsultationStatus.FEEDBACK_PUBLISHED,
        passed.id: ConsultationStatus.ARCHIVED,
        pending.id: ConsultationStatus.SUBMITTED_FOR_REVIEW,
    }
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "consultation.archive")).all()
    assert sorted(event.object_id for event in events) == sorted([str(old.id), str(passed.id)])

    # Still public: by its link, with the mark, and in the list of closed consultations.
    page = client.get(f"/consultations/{old.id}", headers=EN)
    assert page.status_code == 200 and "This consultation is archived" in page.text
    assert f"/consultations/{old.id}" in client.get("/consultations/", headers=EN).text
    assert archive.archive_due() == []


def test_a_superseded_round_names_the_round_that_replaced_it(app, runner):
    first = _closed(400)
    make_consultation(make_department(), phase="open", previous_round_id=first.id, round_number=2)
    db.session.commit()
    due = archive.archive_due()
    assert [(item.consultation_id, item.superseded_by is not None) for item in due] == [(first.id, True)]
