"""Consultation duties the worker runs by itself (core/tasks_schedule.py): the notices to departments when a
consultation opens and closes, feedback due reminders and overdue alerts to editors, the contact purge, archiving,
and the burst-detection purge. Each calls the same service as its `flask consultation …` command.

Notices go through the outbox with a topic naming the event, so a notice already written is never written again
(a duty run twice, or on two hosts, e-mails nobody twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consultation.drafting import periods
from consultation.handling import feedback
from consultation.models import Consultation, ConsultationStatus
from core import outbox
from core.db import utcnow
from core.extensions import db
from core.links import site_url
from core.models import Membership, Role, User
from core.tasks_schedule import Duty, register_duty

# A consultation that opened or closed within this long is announced (a worker down for a day still announces it).
NOTICE_WINDOW = timedelta(days=2)
# Editors are reminded when the feedback is due within this many days.
REMINDER_DAYS = 3


def init_app(app: Flask) -> None:
    from consultation import export_jobs

    export_jobs.init_app(app)  # the summary of a large consultation as a job (registered with the duties: one hook)
    register_duty(Duty("consultation-notices", _l("Tell departments a consultation opened or closed"), notices, "*/10"))
    register_duty(Duty("feedback-reminders", _l("Remind editors of feedback due and overdue"), reminders, "0", "9"))
    register_duty(Duty("contacts-purge", _l("Delete commenters' contact details past retention"), purge, "30", "3"))
    register_duty(Duty("archive", _l("Archive consultations whose feedback is old"), archive, "40", "3"))
    register_duty(Duty("burst-sources-purge", _l("Delete old burst-detection rows"), purge_sources, "15"))


def editors_of(department_id: int) -> list[str]:
    return list(
        db.session.scalars(
            db.select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.role == Role.EDITOR, Membership.department_id == department_id, User.is_enabled.is_(True))
            .distinct()
        )
    )


def _notify_once(topic: str, recipients: Iterable[str], subject: str, body: str) -> int:
    """Write the notice for each recipient unless this event was already written."""
    if db.session.scalar(db.select(outbox.OutboxMessage.id).where(outbox.OutboxMessage.topic == topic).limit(1)):
        return 0
    written = 0
    for address in recipients:
        outbox.enqueue(address, subject, body, topic=topic)
        written += 1
    return written


def notices() -> str:
    """A notice to the department's editors when one of its consultations opened and when it closed."""
    now = utcnow()
    published = db.select(Consultation).where(Consultation.status == ConsultationStatus.SCHEDULED)
    written = 0
    for event, column in (("opened", Consultation.start_at), ("closed", Consultation.end_at)):
        for consultation in db.session.scalars(published.where(column <= now, column > now - NOTICE_WINDOW)):
            link = site_url("consultation.detail", consultation_id=consultation.id)
            if event == "opened":
                subject = _("Open for comments: %(title)s", title=consultation.title)
                body = _("%(title)s is open for comments until %(end)s.\n\n%(link)s", title=consultation.title,
                         end=periods.local_date(consultation.end_at).isoformat(), link=link)  # fmt: skip
            else:
                subject = _("Closed for comments: %(title)s", title=consultation.title)
                body = _("%(title)s has closed. Answer the comments and publish the feedback by %(due)s.\n\n%(link)s",
                         title=consultation.title, due=feedback.due_date(consultation), link=link)  # fmt: skip
            topic = f"consultation-{event}:{consultation.id}"
            written += _notify_once(topic, editors_of(consultation.department_id), subject, body)
    db.session.commit()
    outbox.wake()
    return f"{written} notices written"


def reminders() -> str:
    """Daily: feedback due within REMINDER_DAYS is reminded once; overdue feedback is alerted once a week."""
    today = periods.local_date(utcnow())
    departments = db.session.scalars(db.select(Consultation.department_id).distinct()).all()
    written = 0
    for item in feedback.feedback_due(departments):
        consultation = item.consultation
        link = site_url("consultation_manage.prepare_feedback", consultation_id=consultation.id)
        if item.overdue:
            week = today.isocalendar()
            topic = f"feedback-overdue:{consultation.id}:{week.year}-{week.week}"
            subject = _("Overdue: the feedback on %(title)s", title=consultation.title)
            body = _("The feedback on %(title)s was due on %(due)s and is not published yet.\n\n%(link)s",
                     title=consultation.title, due=item.due.isoformat(), link=link)  # fmt: skip
        elif (item.due - today).days <= REMINDER_DAYS:
            topic = f"feedback-due:{consultation.id}:{item.due.isoformat()}"
            subject = _("Due %(due)s: the feedback on %(title)s", due=item.due.isoformat(), title=consultation.title)
            body = _("The feedback on %(title)s is due on %(due)s.\n\n%(link)s",
                     title=consultation.title, due=item.due.isoformat(), link=link)  # fmt: skip
        else:
            continue
        written += _notify_once(topic, editors_of(consultation.department_id), subject, body)
    db.session.commit()
    outbox.wake()
    return f"{written} reminders written"


def purge() -> str:
    from consultation.comments import retention

    due = retention.purge_contacts()
    db.session.commit()
    return f"contact details deleted in {len(due)} consultations"


def archive() -> str:
    from consultation.legality import archive as archiving

    due = archiving.archive()
    db.session.commit()
    return f"{len(due)} consultations archived"


def purge_sources() -> str:
    from consultation.comments.intake import purge_sources as purge_rows

    removed = purge_rows()
    db.session.commit()
    return f"{removed} rows removed"
