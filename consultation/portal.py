"""This package's blocks on shared pages: open consultations on the home page, work waiting on the dashboard."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_login import current_user

from consultation import columns
from consultation.comments import moderation
from consultation.drafting import period_watch, services
from consultation.handling import feedback
from consultation.legality import gate as legality
from consultation.legality import labels as review_labels
from consultation.legality.models import ReviewState
from consultation.models import Consultation, ConsultationStatus
from core import integrity
from core.db import utcnow
from core.extensions import db
from core.holidays import on_year_entered
from core.models import Department, Role
from core.portal import (
    Column,
    Section,
    SitemapEntry,
    StaffLink,
    register_column,
    register_section,
    register_sitemap,
    register_staff_link,
)


def _home() -> dict[str, Any]:
    """Open drafts with their days left, and the newest published feedback."""
    now = utcnow()
    return {
        "open_consultations": services.published_in_phase("open", now)[:6],
        "newest_feedback": feedback.with_published_feedback()[:3],
        "now": now,
    }


def _dashboard() -> dict[str, Any]:
    """Drafts and returned items for editors; items waiting for review (by someone else) for approvers."""
    editor_departments = current_user.department_ids(Role.EDITOR)
    approver_departments = current_user.department_ids(Role.APPROVER)
    to_prepare = services.for_departments(editor_departments, [ConsultationStatus.DRAFT, ConsultationStatus.RETURNED])
    to_review = [
        item
        for item in services.for_departments(approver_departments, [ConsultationStatus.IN_REVIEW])
        if current_user.id not in (item.created_by_id, item.submitted_by_id)
    ]
    feedback_departments = set(editor_departments)
    watched_departments = editor_departments | approver_departments
    if current_user.has_role(Role.ADMIN):
        feedback_departments |= set(db.session.scalars(db.select(Department.id)))
        watched_departments = feedback_departments
    return {
        "short_periods": period_watch.short_periods(watched_departments) if watched_departments else [],
        "to_prepare": to_prepare,
        "to_review": to_review,
        "feedback_due": feedback.feedback_due(feedback_departments) if feedback_departments else [],
        "to_moderate": moderation.pending_count() if current_user.has_role(Role.MODERATOR) else 0,
    }


def _legality_dashboard() -> dict[str, Any]:
    """Drafts waiting at the justice bureau, for its reviewers."""
    if not current_user.has_role(Role.REVIEWER):
        return {}
    waiting = [pair for pair in legality.submitted_for_review() if pair[1].state is not ReviewState.PASSED]
    return {"drafts": waiting, "labels": review_labels}


def _sitemap() -> list[SitemapEntry]:
    """Every published consultation, its comments page and its feedback once public."""
    group = _l("Consultations")
    entries = []
    published = [status for status in ConsultationStatus if status.is_published]
    query = db.select(Consultation).where(Consultation.status.in_(published)).order_by(Consultation.start_at.desc())
    for consultation in integrity.servable("consultation", db.session.scalars(query)):  # never a defaced title
        values = {"consultation_id": consultation.id}
        entries.append(SitemapEntry(group, consultation.title, "consultation.detail", values, consultation.updated_at))
        if consultation.status in feedback.PUBLISHED_STATUSES:
            entries.append(
                SitemapEntry(
                    _l("Feedback"),
                    consultation.title,
                    "consultation.feedback",
                    values,
                    consultation.updated_at,
                )
            )
    return entries


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        consultation_feedback_state=columns.feedback_state, consultation_feedback_labels=columns.FEEDBACK_STATE_LABELS
    )
    for column in (
        Column("consultation.open_now", _lp("portal column", "Open for comment"), order=10),
        Column("consultation.past", _l("Past consultations"), order=20),
        Column("consultation.feedback_index", _l("Feedback on results"), order=30),
    ):
        register_column(app, column)
    register_sitemap(app, _sitemap)
    # Periods counted provisionally are checked again when the admin enters the missing year.
    on_year_entered(app, period_watch.recheck_after_calendar)
    register_section(app, "home", Section("consultations", "consultation/_home_section.html", _home, order=10))
    register_section(
        app, "dashboard", Section("consultations", "consultation_manage/_dashboard_section.html", _dashboard, order=10)
    )
    register_section(
        app,
        "dashboard",
        Section("legality_review", "consultation_manage/review/_dashboard_section.html", _legality_dashboard, order=11),
    )
    register_staff_link(
        app, StaffLink("consultation_manage.review_queue", _l("Legality review"), (Role.REVIEWER.value,), order=16)
    )
    register_staff_link(
        app,
        StaffLink(
            "consultation_manage.index",
            _l("Consultations"),
            (Role.EDITOR.value, Role.APPROVER.value, Role.ADMIN.value),
            order=10,
        ),
    )
    register_staff_link(
        app, StaffLink("consultation_manage.queue", _l("Moderation"), (Role.MODERATOR.value,), order=12)
    )
    register_staff_link(
        app, StaffLink("consultation_manage.answer_templates", _l("Answer templates"), (Role.EDITOR.value,), order=14)
    )
