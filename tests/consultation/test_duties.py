"""The consultation duties the worker runs: opening and closing notices and feedback reminders reach the
department's editors once, however often the duty runs; the purges and archiving run their services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consultation import duties
from consultation.handling import feedback
from core import tasks_schedule
from core.db import utcnow
from core.extensions import db
from tests.consultation.conftest import make_consultation
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


@pytest.fixture
def sent(app):
    outbox = app.extensions.setdefault("minyi_outbox", [])
    outbox.clear()
    return outbox


def test_editors_hear_once_that_their_consultation_opened(app, sent) -> None:
    department, elsewhere = make_department(), make_department()
    editor = make_user("editor", department)
    make_user("editor", elsewhere)
    consultation = make_consultation(department, start_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    assert duties.notices() == "1 notices written"
    assert duties.notices() == "0 notices written"  # a second run (or another host) writes nothing again
    [message] = sent
    assert message["To"] == editor.email and consultation.title in message["Subject"]
    assert f"/consultations/{consultation.id}" in message.get_content()


def test_a_consultation_that_closed_tells_its_editors_when_the_feedback_is_due(app, sent) -> None:
    department = make_department()
    make_user("editor", department)
    consultation = make_consultation(
        department, start_at=utcnow() - timedelta(days=30), end_at=utcnow() - timedelta(hours=2)
    )
    db.session.commit()
    duties.notices()
    [message] = sent
    assert "Closed" in message["Subject"] or "已结束" in message["Subject"] or consultation.title in message["Subject"]
    assert feedback.due_date(consultation).isoformat() in message.get_content()


def test_overdue_feedback_is_alerted_to_the_editors_once_a_week(app, sent) -> None:
    department = make_department()
    editor = make_user("editor", department)
    make_consultation(department, phase="closed", end_at=utcnow() - timedelta(days=90))
    db.session.commit()
    assert duties.reminders() == "1 reminders written"
    assert duties.reminders() == "0 reminders written"
    assert [message["To"] for message in sent] == [editor.email]


def test_feedback_not_due_soon_is_not_reminded(app, sent) -> None:
    department = make_department()
    make_user("editor", department)
    make_consultation(department, end_at=utcnow() + timedelta(days=30))
    db.session.commit()
    assert duties.reminders() == "0 reminders written" and sent == []


def test_every_consultation_duty_is_on_the_schedule_and_runs_through_the_queue(app) -> None:
    names = {duty.name for duty in tasks_schedule.duties()}
    assert {"consultation-notices", "feedback-reminders", "contacts-purge", "archive", "burst-sources-purge"} <= names
    assert {"survey-purge", "survey-results", "outbox-purge", "integrity-check", "site-scan"} <= names
    for name in ("contacts-purge", "archive", "burst-sources-purge", "survey-purge", "survey-results"):
        tasks_schedule.run_duty(name)
        record = db.session.get(tasks_schedule.ScheduledRun, name)
        assert record.last_outcome == "ok", (name, record.last_summary)
