"""Taking part: save-and-resume drafts, one response per browser, storing a response exactly once, purging.

Two random per-survey tokens live in the respondent's cookies. The resume token finds the draft of answers
so far; the dedup token's HMAC is written to DedupToken when the response is stored, and refuses a second
one. They are different tokens so that not even a draft ties the dedup token to answers, and both tables
are emptied when the survey closes (`flask surveys purge-closed`, and lazily when a closed survey is seen).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, insert

from core.db import InsertUnlessTaken, utcnow
from core.extensions import db
from surveys.models import Answer, DedupToken, Phase, Response, ResumeDraft, Survey, answer_document

TOKEN_BYTES = 24

# The last page's POST is the hot path: its rows are written by statements built once, without the unit of work.
_INSERT_TOKEN = InsertUnlessTaken(DedupToken.__table__).returning(DedupToken.__table__.c.token_hash)
_INSERT_RESPONSE = insert(Response.__table__).returning(Response.__table__.c.id)
# RETURNING makes SQLAlchemy send a response's answers as one multi-row INSERT ("insertmanyvalues"), where
# psycopg's executemany runs one INSERT per answer on the server.
_INSERT_ANSWERS = insert(Answer.__table__).returning(Answer.__table__.c.id)


class Outcome(StrEnum):
    STORED = "stored"
    REPEATED = "repeated"  # the same submission again (a retried POST, a double click): already stored
    ALREADY_RESPONDED = "already_responded"
    CLOSED = "closed"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(survey_id: int, token: str) -> str:
    """HMAC with the site secret: the stored value cannot be turned back into the cookie, nor guessed."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{survey_id}:{token}".encode(), hashlib.sha256).hexdigest()


def dedup_record(survey: Survey, dedup_token: str | None) -> DedupToken | None:
    if not dedup_token:
        return None
    return db.session.get(DedupToken, (survey.id, token_hash(survey.id, dedup_token)))


def load_draft(survey: Survey, resume_token: str | None) -> ResumeDraft | None:
    if not resume_token:
        return None
    query = db.select(ResumeDraft).where(
        ResumeDraft.survey_id == survey.id, ResumeDraft.token_hash == token_hash(survey.id, resume_token)
    )
    return db.session.scalar(query)


def save_draft(
    survey: Survey,
    resume_token: str,
    values: dict[str, Any],
    other: dict[str, str],
    page_index: int,
    submission_key: str = "",
) -> ResumeDraft:
    """Keep the answers so far; a new draft takes the idempotency key the page's form carried."""
    draft = load_draft(survey, resume_token)
    if draft is None:
        key = submission_key if 16 <= len(submission_key) <= 64 else new_token()
        draft = ResumeDraft(survey_id=survey.id, token_hash=token_hash(survey.id, resume_token), submission_key=key)
        db.session.add(draft)
    draft.answers = {"values": values, "other": other}
    draft.page_index = page_index
    db.session.flush()
    return draft


def _submission_hash(submission_key: str) -> str:
    return hashlib.sha256(submission_key.encode()).hexdigest()


def is_same_submission(record: DedupToken, submission_key: str) -> bool:
    return bool(submission_key) and hmac.compare_digest(record.submission_hash, _submission_hash(submission_key))


def response_count(survey: Survey) -> int:
    query = db.select(func.count(Response.id)).where(Response.survey_id == survey.id, Response.complete.is_(True))
    return db.session.scalar(query) or 0


def _cap_reached(survey: Survey, now: datetime) -> bool:
    if survey.response_cap is None or response_count(survey) < survey.response_cap:
        return False
    survey.closed_early_at = survey.closed_early_at or now
    return True


def record_response(
    survey: Survey,
    dedup_token: str,
    submission_key: str,
    values: dict[str, Any],
    other: dict[str, str],
    draft: ResumeDraft | None = None,
    *,
    browser_checked: bool = False,
) -> Outcome:
    """Store a complete response once. `values` are the visible answers (code → value), already checked;
    `draft` is the browser's draft (read before any write: SQLite's single writer lock must not be held while
    reading), deleted with the response. `browser_checked`: the caller has just found no response stored for
    `dedup_token` in this transaction; a concurrent request of the same browser is still found by the token's
    primary key, whichever stores first.
    """
    existing = None if browser_checked else dedup_record(survey, dedup_token)
    if existing is not None:
        return Outcome.REPEATED if is_same_submission(existing, submission_key) else Outcome.ALREADY_RESPONDED
    now = utcnow()
    if survey.phase(now) is not Phase.OPEN or _cap_reached(survey, now):
        return Outcome.CLOSED
    # Written first, in the response's transaction: of a concurrent double submit, one stores the token and its
    # response, the other finds the token taken and stores nothing — never half-stored, never twice.
    token = {
        "survey_id": survey.id,
        "token_hash": token_hash(survey.id, dedup_token),
        "submission_hash": _submission_hash(submission_key),
    }
    if db.session.execute(_INSERT_TOKEN, token).first() is None:
        existing = dedup_record(survey, dedup_token)
        repeated = existing is not None and is_same_submission(existing, submission_key)
        return Outcome.REPEATED if repeated else Outcome.ALREADY_RESPONDED
    response_id = db.session.execute(
        _INSERT_RESPONSE,
        {
            "survey_id": survey.id,
            "submitted_at": now.replace(minute=0, second=0, microsecond=0),
            "answer_data": answer_document(values, other),
        },
    ).scalar_one()
    # None at all (every question optional and left blank) is still a response, with no answer rows.
    if values:
        rows = [
            {"response_id": response_id, "question_code": code, "value": value, "other_text": other.get(code, "")}
            for code, value in values.items()
        ]
        db.session.execute(_INSERT_ANSWERS, rows).all()
    if draft is not None:
        db.session.delete(draft)
        db.session.flush()
    _cap_reached(survey, now)
    return Outcome.STORED


def purge_if_closed(survey: Survey, now: datetime | None = None) -> bool:
    """Delete the dedup tokens and drafts of a closed survey (once); True when something was purged."""
    if survey.purged_at is not None or survey.phase(now) is not Phase.CLOSED:
        return False
    db.session.execute(delete(DedupToken).where(DedupToken.survey_id == survey.id))
    db.session.execute(delete(ResumeDraft).where(ResumeDraft.survey_id == survey.id))
    survey.purged_at = now or utcnow()
    db.session.flush()
    return True


def purge_closed(now: datetime | None = None) -> list[Survey]:
    """Purge every survey that has closed since the last run; what the daily timer runs."""
    now = now or utcnow()
    candidates = db.session.scalars(db.select(Survey).where(Survey.purged_at.is_(None)))
    return [survey for survey in candidates if purge_if_closed(survey, now)]
