"""The decided document and its 解读 are due 20 working days (configurable) after the decision: the dashboard
lists them like the feedback deadline, flags the overdue ones, and marks a count through a year without a holiday
calendar as provisional."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from consultation.decision import deadline, documents, services
from consultation.drafting import periods
from core.db import utcnow
from core.extensions import db
from core.models import Role
from tests.consultation.test_decision import DOC_TITLE, PARTS, decided
from tests.factories import make_department, make_user

EN = {"Accept-Language": "en"}


def test_due_in_twenty_working_days_under_the_holiday_calendar(app):
    department = make_department()
    # Decided on Thursday 2026-09-24: 中秋 (09-25) and National Day (10-01..10-07) are off, Saturday 10-10 is worked.
    consultation = decided(department, concluded_at=datetime(2026, 9, 24, 2, tzinfo=UTC))
    conclusion = services.decided_conclusion(consultation)
    assert deadline.due_date(conclusion) == date(2026, 10, 29)
    app.config["CONSULTATION_DECISION_DUE_WORKING_DAYS"] = 5
    assert deadline.due_date(conclusion) == date(2026, 10, 9)


def test_the_dashboard_shows_what_is_due_and_flags_the_overdue(client, auth):
    department = make_department(name="区住建局")
    late = decided(department, concluded_at=utcnow() - timedelta(days=60))
    soon = decided(department, concluded_at=utcnow())
    late.title, soon.title = "《迟到的办法》", "《刚决定的办法》"
    other = decided(make_department(), concluded_at=utcnow() - timedelta(days=60))
    other.title = "《别的部门的办法》"
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    page = client.get("/manage/", headers=EN).text
    section = page[page.index('id="dashboard-decision-due"') :]
    assert "《迟到的办法》" in section and "《刚决定的办法》" in section and "《别的部门的办法》" not in page
    late_item = section[section.index(f'data-consultation="{late.id}"') :].split("</li>")[0]
    assert 'class="badge warn"' in late_item and "Overdue since" in late_item
    assert "Missing: the decided document and its interpretation" in late_item
    soon_item = section[section.index(f'data-consultation="{soon.id}"') :].split("</li>")[0]
    assert "Overdue" not in soon_item and "Due " in soon_item


def test_the_item_leaves_the_dashboard_once_both_are_published(client, auth):
    department = make_department()
    consultation = decided(department, concluded_at=utcnow() - timedelta(days=40))
    editor, approver = make_user(Role.EDITOR, department), make_user(Role.APPROVER, department)
    prepared = documents.prepare(consultation, editor, documents.DocumentInput(DOC_TITLE, url="https://x.example.cn/8"))
    documents.submit(prepared, editor)
    db.session.commit()
    [item] = deadline.decision_due([department.id])
    assert item.document_missing and item.document_in_review, "submitted is not published: still due"
    auth.login(editor.email)
    entry = client.get("/manage/", headers=EN).text.split(f'data-consultation="{consultation.id}"')[1]
    assert "the document is waiting for approval" in entry.split("</li>")[0]
    auth.logout()
    documents.approve(prepared, approver)
    db.session.commit()
    [item] = deadline.decision_due([department.id])
    assert item.overdue and not item.document_missing and item.interpretation_missing
    interpretation = services.save_interpretation(consultation, editor, PARTS)
    services.submit(interpretation, editor)
    services.approve(interpretation, approver)
    db.session.commit()
    assert deadline.decision_due([department.id]) == []
    auth.login(editor.email)
    assert 'id="dashboard-decision-due"' not in client.get("/manage/", headers=EN).text


def test_a_deadline_in_2027_without_a_holiday_calendar_is_marked_provisional(client, auth):
    department = make_department()
    # Decided 2027-03-01 (a Monday); no calendar for 2027 is installed or entered: Monday to Friday is counted.
    consultation = decided(department, concluded_at=periods.end_of_day(date(2027, 3, 1)) - timedelta(hours=12))
    [item] = deadline.decision_due([department.id], now=datetime(2027, 3, 2, tzinfo=UTC))
    assert item.due == date(2027, 3, 29) and item.provisional_years == [2027] and not item.overdue
    auth.login_as(Role.APPROVER, department)
    page = client.get("/manage/", headers=EN).text
    entry = page[page.index(f'data-consultation="{consultation.id}"') :].split("</li>")[0]
    assert 'data-provisional="2027"' in entry and "Due 2027-03-29" in entry
    overview = client.get(f"/manage/consultations/{consultation.id}/decision", headers=EN).text
    assert 'id="decision-provisional"' in overview and "2027" in overview
