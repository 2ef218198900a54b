"""The public notice of a consultation as residents see it: the draft with counts, the newest published comments,
the period, the next round and how it ended. The notice page and its archived copy are both rendered from this."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false

from consultation.comments import commenting
from consultation.comments.public_names import public_name
from consultation.drafting import services
from consultation.drafting.diff import compare_rounds
from consultation.legality.conclusion import public_conclusion
from consultation.models import Comment, CommentDisplay, Consultation
from core import integrity
from core.extensions import db
from core.pagination import count_rows
from core.screening import mask_personal_data

NEWEST_COMMENTS_ON_NOTICE = 20


def public_comments_query(consultation: Consultation) -> Select[tuple[Comment]]:
    """Approved, valid comments in the order received; empty unless the display policy publishes them."""
    query = (
        db.select(Comment)
        .where(Comment.consultation_id == consultation.id, *commenting.PUBLICLY_COUNTED)
        .order_by(Comment.received_at, Comment.id)
    )
    return query if consultation.comment_display is CommentDisplay.APPROVED_MASKED else query.where(false())


def as_public(comments: Iterable[Comment]) -> list[dict[str, Any]]:
    """Comments as the public may see them: names masked unless published by consent, no contacts."""
    return [
        {
            "name": public_name(comment),
            "unit_key": comment.unit_key,
            "content": mask_personal_data(comment.content),
            "received_at": comment.received_at,
        }
        for comment in comments
    ]


def latest_public_comments(consultation: Consultation) -> tuple[list[dict[str, Any]], int]:
    """The newest published comments for the notice page (a popular draft has tens of thousands), and how many."""
    query = public_comments_query(consultation)
    total = count_rows(query)
    newest = db.session.scalars(
        query.order_by(None).order_by(Comment.received_at.desc(), Comment.id.desc()).limit(NEWEST_COMMENTS_ON_NOTICE)
    ).all()
    return as_public(newest), total


def notice_context(consultation: Consultation, now: datetime) -> dict[str, Any]:
    """What the public notice page shows; also what the archived copy of the notice is rendered from."""
    counts = commenting.public_counts(consultation)
    # The rounds before and after are other sealed notices: quoted or named only while they hold.
    before = [consultation.previous_round] if consultation.previous_round is not None else []
    previous = integrity.servable("consultation", before, whole=True)
    changes = None
    if previous:
        changes = compare_rounds(previous[0].draft_units(), consultation.draft_units())
    next_round = db.session.scalar(db.select(Consultation).where(Consultation.previous_round_id == consultation.id))
    if next_round is not None and not integrity.servable("consultation", [next_round]):
        next_round = None
    latest_comments, published_total = latest_public_comments(consultation)
    return {
        "consultation": consultation,
        "phase": consultation.phase(now),
        "now": now,
        "counts": counts.by_unit,
        "comment_total": counts.comments,
        "participants": counts.participants,
        "changes": changes,
        "next_round": next_round if next_round is not None and next_round.status.is_published else None,
        "public_comments": latest_comments,
        "public_comment_total": published_total,
        "period": services.check_period(consultation),
        "conclusion": public_conclusion(consultation),
    }
