"""Automatic screening of every comment as it is stored, before a moderator sees it.

Sensitive words (the admin's lists), links and contact phrases, personal data in the text (core.screening),
exact and near duplicates (consultation.comments.duplicates) and bursts from one source. The result is stored with the
comment (Comment.screening, Comment.flags, Comment.cluster_id); the source of a burst is not: it lives as a
keyed, daily-changing hash in consultation_submission_sources for the burst window only.

Everything is worked out with reads before the comment's row is inserted, so the row is written once; the other
writes (cluster merges, the band keys of the duplicate index, the burst source) follow the insert in stored(),
so the writer lock is held only for that short burst.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, func

from consultation.comments import duplicates
from consultation.drafting import periods
from consultation.handling.models import SubmissionSource
from consultation.models import Comment
from core.db import utcnow
from core.dedup import fingerprint
from core.extensions import db
from core.screening import screen
from core.words import current_matcher

FLAG_BURST = "burst"


def source_key(address: str, now: datetime | None = None) -> str:
    """A keyed hash of the submitter's address that changes every (Beijing) day and cannot be reversed."""
    day = periods.local_date(now or utcnow()).isoformat()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"burst:{day}:{address}".encode(), hashlib.sha256).hexdigest()


def _window() -> timedelta:
    return timedelta(seconds=int(current_app.config["CONSULTATION_BURST_WINDOW_SECONDS"]))


# Counting stops here: past it the number only says "a flood", and a flood must not make each count slower.
SOURCE_COUNT_CAP = 1000
# Run on every online comment: built once (building a statement costs more than running this one).
_COUNT_FROM_SOURCE = db.select(func.count()).select_from(
    db.select(SubmissionSource.id)
    .where(SubmissionSource.source == bindparam("source"), SubmissionSource.at >= bindparam("since"))
    .limit(SOURCE_COUNT_CAP)
    .subquery()
)
_RECORD_SOURCE = db.insert(SubmissionSource).values(source=bindparam("source_key"), at=bindparam("at_time"))
# An online comment's reads before its insert that need nothing but its text, in one round trip: its exact twin
# and its source's submissions in the burst window.
_TWIN_AND_SOURCE = db.select(*duplicates.TWIN_COLUMNS, _COUNT_FROM_SOURCE.scalar_subquery().label("from_source"))


def record_source(source: str, now: datetime) -> None:
    """Remember one submission from `source` for the burst window (a write: done after the comment's insert)."""
    db.session.execute(_RECORD_SOURCE, {"source_key": source, "at_time": now})
    # Old rows are deleted by the worker's hourly duty (consultation/duties.py), never in a resident's request.


def purge_sources(now: datetime | None = None) -> int:
    """Delete every source row older than the burst window (hourly duty, and `flask consultation purge-sources`)."""
    cutoff = (now or utcnow()) - _window()
    result = db.session.execute(db.delete(SubmissionSource).where(SubmissionSource.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass
class Screened:
    """What the screening found for one new comment, ready to be set on it."""

    screening: dict[str, Any]
    flags: set[str]
    placement: duplicates.Placement
    source: str | None = None
    at: datetime | None = None

    def apply(self, comment: Comment) -> None:
        comment.screening = self.screening
        comment.flags = f" {' '.join(sorted(self.flags))} " if self.flags else ""
        comment.fingerprint = self.placement.fingerprint
        comment.cluster_id = self.placement.cluster_id


def screen_new(comment: Comment, source: str | None = None, now: datetime | None = None) -> Screened:
    """Screen a comment not stored yet (it needs its consultation_id and texts).

    `source` is source_key() of an online submitter; None for comments staff typed in (no burst check).
    """
    texts = [comment.author_name or "", comment.content, comment.basis or ""]  # column defaults come at insert
    result = screen("\n".join(texts), current_matcher())
    now = now or utcnow()
    twin, earlier = None, 0
    if source is not None:
        parameters = {"consultation_id": comment.consultation_id, "fingerprint": fingerprint(comment.content)}
        parameters |= {"source": source, "since": now - _window()}
        row = db.session.execute(_TWIN_AND_SOURCE, parameters).one()
        twin, earlier = duplicates.Twin(row.twin_id, row.twin_cluster), row.from_source or 0
    placement = duplicates.place(comment.consultation_id, comment.content, twin)
    flags = set(result.flags) | placement.flags
    screening = result.as_dict()
    if source is not None:
        count = earlier + 1  # counting the one being made
        screening["source_count"] = count
        if count > int(current_app.config["CONSULTATION_BURST_LIMIT"]):
            flags.add(FLAG_BURST)
    screening["flags"] = sorted(flags)
    return Screened(screening, flags, placement, source, now)


def stored(comment: Comment, screened: Screened) -> None:
    """Finish after the comment's row is inserted: the remaining writes, kept together at the end because
    SQLite lets one writer at a time hold the database (everything before them only reads)."""
    duplicates.index(comment, screened.placement)
    if screened.source is not None and screened.at is not None:
        record_source(screened.source, screened.at)


def screen_and_add(comment: Comment, source: str | None = None, now: datetime | None = None) -> Comment:
    """Screen a new comment, add it to the session and store it (flush); for paths without retries."""
    screened = screen_new(comment, source, now)
    screened.apply(comment)
    db.session.add(comment)
    db.session.flush()
    stored(comment, screened)
    return comment
