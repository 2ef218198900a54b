"""The consultation side of the self-inspection (core/inspection): 互动回应, periods, reviews, columns, retention."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, url_for
from flask_babel import gettext as _

from consultation.comments import retention
from consultation.drafting import period_watch
from consultation.handling import feedback
from consultation.legality import archive
from consultation.models import Consultation, ConsultationStatus
from core.db import utcnow
from core.extensions import db
from core.i18n import local_datetime
from core.inspection.checks import Finding, register_check
from core.models import Department


def _manage(consultation_id: int) -> str:
    return url_for("consultation_manage.detail", consultation_id=consultation_id)


def _department_ids() -> list[int]:
    return list(db.session.scalars(db.select(Department.id)))


def _feedback() -> list[Finding]:
    column = _("Feedback")
    return [
        Finding(
            "feedback_late",
            item.consultation.title,
            _("Feedback due %(due)s, not published", due=item.due.isoformat()),
            item.consultation.department.name,
            column,
            url_for("consultation_manage.prepare_feedback", consultation_id=item.consultation.id),
        )
        for item in feedback.feedback_due(_department_ids())
        if item.overdue
    ]


def _interpretations() -> list[Finding]:
    try:
        from consultation.decision import deadline
    except ImportError:  # before the decision stage exists there is nothing to check
        return []
    found = []
    for item in deadline.decision_due(_department_ids()):
        if not item.overdue:
            continue
        missing = []
        if item.document_missing:
            missing.append(_("decision document"))
        if item.interpretation_missing:
            missing.append(_("interpretation (解读)"))
        detail = _("Due %(due)s, missing: %(what)s", due=item.due.isoformat(), what=", ".join(missing))
        found.append(
            Finding(
                "interpretation",
                item.consultation.title,
                detail,
                item.consultation.department.name,
                _("Interpretations"),
                _manage(item.consultation.id),
            )
        )
    return found


def _periods_and_reviews() -> list[Finding]:
    found = [
        Finding(
            "short_period",
            item.consultation.title,
            _(
                "Ends %(end)s, earliest end %(minimum)s",
                end=local_datetime(item.consultation.end_at),
                minimum=local_datetime(item.check.minimum_end),
            ),
            item.consultation.department.name,
            _("Open consultations"),
            _manage(item.consultation.id),
        )
        for item in period_watch.short_periods()
    ]
    waiting = db.session.scalars(
        db.select(Consultation).where(Consultation.status == ConsultationStatus.SUBMITTED_FOR_REVIEW)
    )
    for consultation in waiting:
        found.append(
            Finding(
                "legality_review",
                consultation.title,
                _("Submitted for legality review, not concluded"),
                consultation.department.name,
                _("Legality review"),
                url_for("consultation_manage.review_item", consultation_id=consultation.id),
            )
        )
    return found


def _retention() -> list[Finding]:
    found = [
        Finding(
            "archive_due",
            item.title,
            _("flask consultation archive would mark it archived"),
            column=_("Past consultations"),
            fix_url=_manage(item.consultation_id),
        )
        for item in archive.archive_due()
    ]
    found += [
        Finding(
            "retention_due",
            item.title,
            _(
                "flask consultation purge-contacts would delete the contacts of %(n)d comments",
                n=item.comments_with_contacts,
            ),
            column=_("Feedback"),
            fix_url=_manage(item.consultation_id),
        )
        for item in retention.contacts_due()
    ]
    return found


def _columns() -> list[Finding]:
    """Per department: a consultations column with nothing published is empty; nothing new for long, not updated."""
    stale_before = utcnow() - timedelta(days=int(current_app.config["INSPECTION_STALE_DAYS"]))
    published = [status for status in ConsultationStatus if status.is_published]
    latest = dict(
        db.session.execute(
            db.select(Consultation.department_id, db.func.max(Consultation.start_at))
            .where(Consultation.status.in_(published))
            .group_by(Consultation.department_id)
        ).all()
    )
    found = []
    column = _("Consultations")
    for department in db.session.scalars(db.select(Department).where(Department.is_active.is_(True))):
        last = latest.get(department.id)
        fix = url_for("consultation_manage.index")
        if last is None:
            found.append(Finding("empty_column", column, _("Nothing published yet"), department.name, column, fix))
        elif last.replace(tzinfo=stale_before.tzinfo) < stale_before:
            detail = _("Last published %(at)s", at=local_datetime(last))
            found.append(Finding("stale_column", column, detail, department.name, column, fix))
    return found


def findings() -> list[Finding]:
    return _feedback() + _interpretations() + _periods_and_reviews() + _retention() + _columns()


def init_app(app: Flask) -> None:
    register_check(app, findings)
