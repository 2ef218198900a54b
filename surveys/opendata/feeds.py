"""The Atom feed of the surveys open now, the most recently opened first."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from core import integrity
from core.db import utcnow
from core.extensions import db
from core.feeds import FEED_LENGTH, FeedEntry, atom_feed, cached_feed, excerpt, site_name
from core.i18n import current_language, local_datetime
from core.links import site_url
from core.routing import Routes
from surveys import blueprints
from surveys.models import Phase, ReviewStatus, Survey

bp = Routes(blueprints.public, "/surveys")


@bp.route("/feed.atom")
def open_surveys() -> Response:
    return cached_feed("feed-surveys", "surveys.index", _surveys_feed)


def _surveys_feed(page_url: str, feed_url: str) -> str:
    now = utcnow()
    started = db.session.scalars(
        db.select(Survey)
        .where(Survey.status == ReviewStatus.APPROVED, Survey.starts_at <= now, Survey.ends_at > now)
        .order_by(Survey.starts_at.desc(), Survey.id.desc())
    )
    # Survey.phase has the last word (a survey closed early is not open).
    open_now = integrity.servable("survey", [s for s in started if s.phase(now) is Phase.OPEN][:FEED_LENGTH])
    entries = [
        FeedEntry(
            title=survey.title,
            link=site_url("surveys.take", survey_id=survey.id),
            updated=survey.starts_at,
            author=survey.department.display_name(current_language()),
            summary=excerpt(
                _(
                    "Open until %(end)s (Beijing time). %(purpose)s",
                    end=local_datetime(survey.ends_at),
                    purpose=survey.purpose,
                )
            ),
        )
        for survey in open_now
    ]
    return atom_feed(
        title=_("Open surveys · %(site)s", site=site_name()),
        subtitle=_("Questionnaires of the district's departments that can be answered now."),
        page_url=page_url,
        feed_url=feed_url,
        entries=entries,
    )
