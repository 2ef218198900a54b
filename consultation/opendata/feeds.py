"""Atom feeds of the consultations: notices as they open, and feedback as it is published, with its addenda (late
comments answered publicly) as entries of their own."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _
from flask_babel import ngettext

from consultation import blueprints, labels
from consultation.handling import addenda, feedback
from consultation.handling.models import ConsultationFeedback
from consultation.handling.participation import FeedbackAddendum
from consultation.models import Consultation, ConsultationStatus
from core import integrity
from core.db import utcnow
from core.extensions import db
from core.feeds import FEED_LENGTH, FeedEntry, atom_feed, cached_feed, excerpt, site_name
from core.i18n import current_language, local_datetime
from core.links import site_url
from core.routing import Routes

bp = Routes(blueprints.public)


def _department(consultation: Consultation) -> str:
    return consultation.department.display_name(current_language())


@bp.route("/feed.atom")
def consultations() -> Response:
    """Published consultations that have opened, the most recently opened first."""
    return cached_feed("feed-consultations", "consultation.index", _consultations_feed)


def _consultations_feed(page_url: str, feed_url: str) -> str:
    published = [status for status in ConsultationStatus if status.is_published]
    opened = integrity.servable(
        "consultation",
        db.session.scalars(
            db.select(Consultation)
            .where(Consultation.status.in_(published), Consultation.start_at <= utcnow())
            .order_by(Consultation.start_at.desc(), Consultation.id.desc())
            .limit(FEED_LENGTH)
        ),
    )
    entries = [
        FeedEntry(
            title=consultation.title,
            link=site_url("consultation.detail", consultation_id=consultation.id),
            updated=consultation.start_at,
            author=_department(consultation),
            summary=_(
                "%(type)s. Comments are welcome from %(start)s to %(end)s (Beijing time).",
                type=labels.document_type_label(consultation.doc_type),
                start=local_datetime(consultation.start_at),
                end=local_datetime(consultation.end_at),
            ),
        )
        for consultation in opened
        if consultation.start_at is not None
    ]
    return atom_feed(
        title=_("Public consultations · %(site)s", site=site_name()),
        subtitle=_("Draft policies open for comment, as they open."),
        page_url=page_url,
        feed_url=feed_url,
        entries=entries,
    )


@bp.route("/feedback/feed.atom")
def feedback_published() -> Response:
    """Consultations whose feedback is published, the most recently published first."""
    return cached_feed("feed-feedback", "consultation.feedback_index", _feedback_feed)


def _feedback_feed(page_url: str, feed_url: str) -> str:
    published = feedback.with_published_feedback()  # only feedback whose seal holds, its addenda sealed with it
    entries = [
        FeedEntry(
            title=_("Feedback: %(title)s", title=consultation.title),
            link=site_url("consultation.feedback", consultation_id=consultation.id),
            updated=record.published_at,
            author=_department(consultation),
            summary=excerpt(_("Main changes: %(changes)s", changes=record.main_changes)),
        )
        for consultation, record in published[:FEED_LENGTH]
        if record.published_at is not None
    ]
    entries = sorted([*entries, *_addendum_entries(published)], key=lambda entry: entry.updated, reverse=True)
    return atom_feed(
        title=_("Feedback on consultations · %(site)s", site=site_name()),
        subtitle=_("What the drafting departments adopted from the comments, and why."),
        page_url=page_url,
        feed_url=feed_url,
        entries=entries[:FEED_LENGTH],
    )


def _addendum_entries(published: list[tuple[Consultation, ConsultationFeedback]]) -> list[FeedEntry]:
    """The latest addenda to these feedbacks, each an entry linking to its place on the feedback page."""
    consultations = {consultation.id: consultation for consultation, _record in published}
    if not consultations:
        return []
    latest = list(
        db.session.scalars(
            db.select(FeedbackAddendum.consultation_id)
            .where(FeedbackAddendum.consultation_id.in_(consultations))
            .order_by(FeedbackAddendum.published_at.desc(), FeedbackAddendum.id.desc())
            .limit(FEED_LENGTH)
        )
    )
    # An entry quotes the addendum's note and answers, which the list's seal does not cover: the whole feedback
    # they belong to is verified, and one changed outside the workflow gives no entry.
    quoted = [row for row in published if row[0].id in set(latest)]
    verified = integrity.servable("consultation.feedback", quoted, lambda row: row[0].id, whole=True)
    holding = {consultation.id for consultation, _record in verified}
    latest = [consultation_id for consultation_id in latest if consultation_id in holding]
    return [
        FeedEntry(
            title=_("Addendum to the feedback: %(title)s", title=consultations[consultation_id].title),
            link=addenda.addendum_url(consultation_id, item.id),
            updated=item.published_at,
            author=_department(consultations[consultation_id]),
            summary=excerpt(_addendum_summary(item)),
        )
        for consultation_id in dict.fromkeys(latest)  # each consultation once, newest addendum first
        for item in addenda.published_addenda(consultations[consultation_id])
    ]


def _addendum_summary(item: addenda.PublicAddendum) -> str:
    """How many late comments it answers, its note, then each comment as the page shows it (names masked)."""
    count = ngettext(
        "%(num)d comment that arrived after the feedback is answered.",
        "%(num)d comments that arrived after the feedback are answered.",
        len(item.rows),
    )
    answers = [
        f"{row.name}: {row.content} ({labels.ADOPTION_LABELS[row.adoption]}{': ' + row.reason if row.reason else ''})"
        for row in item.rows
        if row.valid and row.adoption is not None
    ]
    return " ".join([count, item.note, *answers])
