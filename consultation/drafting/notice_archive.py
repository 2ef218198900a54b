"""The public notice as it was published: the public page rendered into one self-contained HTML file (its CSS
inlined), captured when an approver publishes the consultation and kept, for the legality packet (docs/rules.md
§4.4: "public notice URL, publication date, period, and an archived copy of the page").

A consultation published before archiving existed (or loaded as demo data) has no stored copy; the packet then
renders the page as it is now and says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from markupsafe import Markup

from consultation.drafting.notice import notice_context
from consultation.legality.models import NoticeArchive
from consultation.models import Consultation
from core.db import utcnow
from core.exports import local_time
from core.extensions import db
from core.links import site_url
from core.models import User

ARCHIVE_LAYOUT = "consultation/notice_archive_base.html"
STYLESHEETS = ("css/site.css", "css/consultation.css", "css/legality.css")


@dataclass(frozen=True)
class ArchivedNotice:
    """The HTML of the notice and where it came from; `stored` is False for a copy rendered at packet time."""

    html: str
    url: str
    captured_at: datetime
    stored: bool


def _inline_css() -> Markup:
    static = Path(current_app.static_folder or "static")
    css = "\n".join((static / name).read_text(encoding="utf-8") for name in STYLESHEETS)
    return Markup(css.replace("</", "<\\/"))  # noqa: S704 - our own stylesheets; no "</style>" can end the block


def render_notice(consultation: Consultation, now: datetime, *, stored: bool) -> tuple[str, str]:
    """(html, public url) of the notice page as the public sees it at `now`, in the site's default language.

    Rendered in a request context of its own for the public address, so nothing of the staff member's page (their
    session, their language) leaks into the copy. The context shares the application context, so it sees the
    approval that is about to be committed.
    """

    # The configured public address, never the request's: a forged Host would otherwise be kept in the record.
    base_url = current_app.config["SITE_URL"]
    url = site_url("consultation.detail", consultation_id=consultation.id)
    with current_app.test_request_context(base_url=base_url):
        path = url_for("consultation.detail", consultation_id=consultation.id)
    with (
        current_app.test_request_context(path, base_url=base_url),
        force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]),
    ):
        html = render_template(
            "consultation/detail.html",
            layout=ARCHIVE_LAYOUT,
            archive={"url": url, "base_url": base_url, "captured": local_time(now), "stored": stored},
            archive_css=_inline_css(),
            **notice_context(consultation, now),
        )
    return html, url


def capture(consultation: Consultation, user: User | None, now: datetime | None = None) -> NoticeArchive:
    """Render the notice now and keep it (flushes; the caller commits with the approval)."""
    now = now or utcnow()
    html, url = render_notice(consultation, now, stored=True)
    archive = NoticeArchive(
        consultation_id=consultation.id,
        url=url,
        html=html,
        sha256=hashlib.sha256(html.encode()).hexdigest(),
        captured_at=now,
        captured_by_id=user.id if user is not None else None,
    )
    db.session.add(archive)
    db.session.flush()
    return archive


def latest(consultation: Consultation) -> NoticeArchive | None:
    return db.session.scalar(
        db.select(NoticeArchive)
        .where(NoticeArchive.consultation_id == consultation.id)
        .order_by(NoticeArchive.captured_at.desc(), NoticeArchive.id.desc())
        .limit(1)
    )


def for_packet(consultation: Consultation) -> ArchivedNotice:
    """The stored copy of the notice, or, when none was stored, the page rendered now (marked as such)."""
    stored = latest(consultation)
    if stored is not None:
        return ArchivedNotice(stored.html, stored.url, stored.captured_at, stored=True)
    now = utcnow()
    html, url = render_notice(consultation, now, stored=False)
    return ArchivedNotice(html, url, now, stored=False)
