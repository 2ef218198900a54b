"""Taking in comments: online submissions (exactly once per form), comments staff record, receipts and counts."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached

from consultation.comments import intake
from consultation.drafting import periods
from consultation.drafting.services import WorkflowError
from consultation.drafting.uploads import StoredFile, remove
from consultation.models import Channel, Comment, Consultation, ModerationStatus, RespondentType, Validity
from core import audit, outbox
from core.db import InsertUnlessTaken, utcnow
from core.extensions import db
from core.models import User

# Receipt numbers are read aloud on the phone and typed from paper: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
RECEIPT_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
RECEIPT_RANDOM_LENGTH = 6
RECEIPT_PREFIX = "ZQ"
_RECEIPT_SHAPE = re.compile(rf"^{RECEIPT_PREFIX}(\d{{8}})([{RECEIPT_ALPHABET}]{{{RECEIPT_RANDOM_LENGTH}}})$")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_NOT_DIGIT = re.compile(r"\D")


@dataclass
class CommentInput:
    """What a resident typed (or staff copied from a letter), already validated by the form."""

    content: str
    respondent_type: RespondentType
    author_name: str = ""
    unit_key: str | None = None
    phone: str = ""
    email: str = ""
    basis: str = ""
    publish_name: bool = False
    notify_me: bool = False
    privacy_notice_version: str = ""
    channel: Channel = Channel.ONLINE
    received_at: datetime | None = None


def new_receipt_number(now: datetime) -> str:
    """'ZQ' + the Asia/Shanghai date + six unambiguous characters, e.g. ZQ20261126-K7MQ3X."""
    random_part = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_RANDOM_LENGTH))
    return f"{RECEIPT_PREFIX}{periods.local_date(now):%Y%m%d}-{random_part}"


def normalise_receipt(text: str) -> str | None:
    """The stored form of a receipt number as typed (any case, spaces or dashes), or None if it is not one."""
    compact = _NOT_ALNUM.sub("", text.upper())
    match = _RECEIPT_SHAPE.match(compact)
    return f"{RECEIPT_PREFIX}{match.group(1)}-{match.group(2)}" if match else None


def _check_unit(consultation: Consultation, unit_key: str | None) -> None:
    if unit_key is not None and unit_key not in {key for key, _label in consultation.unit_choices()}:
        raise WorkflowError(["unknown_unit"])


def _new_comment(consultation: Consultation, data: CommentInput, attachment: StoredFile | None) -> Comment:
    now = utcnow()
    comment = Comment(
        consultation_id=consultation.id,
        unit_key=data.unit_key,
        channel=data.channel,
        received_at=data.received_at or now,
        author_name=data.author_name.strip(),
        respondent_type=data.respondent_type,
        phone=data.phone.strip(),
        email=data.email.strip().lower(),
        content=data.content.strip(),
        basis=data.basis.strip(),
        publish_name=data.publish_name,
        notify_me=data.notify_me,
        privacy_notice_version=data.privacy_notice_version,
        receipt_number=new_receipt_number(now),
    )
    if attachment is not None:
        comment.attachment_name = attachment.filename
        comment.attachment_stored_name = attachment.stored_name
        comment.attachment_type = attachment.content_type
        comment.attachment_size = attachment.size
    return comment


def _by_idempotency_key(key: str) -> Comment | None:
    return db.session.scalar(db.select(Comment).where(Comment.idempotency_key == key))


def submit_online_comment(
    consultation: Consultation,
    data: CommentInput,
    idempotency_key: str,
    attachment: StoredFile | None = None,
    now: datetime | None = None,
    source: str | None = None,
    key_checked: bool = False,
) -> tuple[Comment, bool]:
    """Store a resident's comment once: a repeated key returns the comment already stored and False.

    Refused (WorkflowError) when the consultation is not open or the unit is not one of its draft's.
    `source` (intake.source_key of the address) only feeds burst detection; it is not stored with the comment.
    `key_checked`: the caller has just found the key unused in this transaction (a race is still caught below).
    """
    existing = None if key_checked else _by_idempotency_key(idempotency_key)
    if existing is not None:
        _discard(attachment)
        return existing, False
    phase = consultation.phase(now or utcnow())
    if phase != "open":
        _discard(attachment)
        raise WorkflowError([f"consultation_{phase or 'unpublished'}"])
    _check_unit(consultation, data.unit_key)
    comment = _new_comment(consultation, data, attachment)
    screened = intake.screen_new(comment, source, now)
    for attempt in range(5):
        if attempt:  # a new receipt number
            comment = _new_comment(consultation, data, attachment)
        comment.idempotency_key = idempotency_key
        screened.apply(comment)
        stored = _insert_unless_taken(comment)
        if stored is None:
            existing = _by_idempotency_key(idempotency_key)
            if existing is not None:  # the same form arrived twice at once: the other request stored it
                _discard(attachment)
                return existing, False
            continue  # a receipt number clash, vanishingly rare: draw another
        intake.stored(stored, screened)
        return stored, True
    raise RuntimeError("could not draw a free receipt number")


_COMMENTS = Comment.__table__
_COLUMNS = frozenset(column.key for column in sa_inspect(Comment).column_attrs)
_INSERT_UNLESS_TAKEN = InsertUnlessTaken(_COMMENTS).returning(_COMMENTS.c.id)


def _insert_unless_taken(comment: Comment) -> Comment | None:
    """Insert the new comment (not in the session yet) and return it, now in the session; None when its submission
    key or receipt number is taken already.

    ON CONFLICT DO NOTHING rather than a savepoint around an ORM insert: nothing else in the transaction is undone,
    and the comment costs one round trip to the database instead of three (a concurrent insert of the same key is
    waited for, then found by the caller). The columns the insert filled by default are read when first used.
    """
    values = {key: value for key, value in sa_inspect(comment).dict.items() if key in _COLUMNS}
    comment_id = db.session.execute(_INSERT_UNLESS_TAKEN, values).scalar()
    if comment_id is None:
        return None
    comment.id = comment_id
    make_transient_to_detached(comment)
    db.session.add(comment)
    return comment


def record_offline_comment(
    consultation: Consultation, data: CommentInput, staff: User, attachment: StoredFile | None = None
) -> Comment:
    """A comment that came by letter, e-mail or at a meeting, typed in by staff; it counts like online ones."""
    if data.channel is Channel.ONLINE:
        raise WorkflowError(["channel_not_offline"])
    if not consultation.status.is_published:
        raise WorkflowError(["consultation_unpublished"])
    _check_unit(consultation, data.unit_key)
    comment = _new_comment(consultation, data, attachment)
    comment.recorded_by_id = staff.id
    intake.screen_and_add(comment)
    audit.record(
        "consultation.comment_recorded",
        consultation,
        detail={"receipt_number": comment.receipt_number, "channel": data.channel.value},
        actor=staff,
    )
    return comment


def _discard(attachment: StoredFile | None) -> None:
    if attachment is not None:
        remove(attachment.stored_name)


def find_by_receipt(receipt_text: str, contact: str = "") -> Comment | None:
    """The comment with this receipt number; when `contact` is given, only if the phone or e-mail matches it.

    The number alone may show the comment's status, never its text or answer: the lookup page shows those only
    to someone who also knows the contact given with it.
    """
    receipt = normalise_receipt(receipt_text)
    contact = contact.strip()
    if receipt is None:
        return None
    comment = db.session.scalar(db.select(Comment).where(Comment.receipt_number == receipt))
    if comment is None or not contact:
        return comment
    if "@" in contact:
        return comment if comment.email and comment.email == contact.lower() else None
    digits = _NOT_DIGIT.sub("", contact)
    return comment if digits and _NOT_DIGIT.sub("", comment.phone) == digits else None


def receipt_topic(comment: Comment) -> str:
    """The outbox topic of a comment's e-mail receipt, by which the receipt page finds what became of it."""
    return f"comment-receipt:{comment.id}"


def queue_receipt(comment: Comment) -> bool:
    """Write the e-mail receipt into the outbox in the comment's own transaction; False when no address was given.

    The worker sends it after the commit: the resident never waits for the mail server, and a server that is
    down only delays the receipt (core/outbox.py).
    """
    if not comment.email:
        return False
    consultation = comment.consultation
    body = _(
        "Your comment on %(title)s was received on %(when)s.\n\n"
        "Receipt number: %(receipt)s\n\n"
        "Keep this number. With it and the phone number or e-mail address you gave, you can look up the "
        "status of your comment on the consultation site. This is an automatic message; do not reply to it.",
        title=consultation.title,
        when=periods.local_date(comment.received_at).isoformat(),
        receipt=comment.receipt_number,
    )
    subject = _("Receipt %(receipt)s: your comment was received", receipt=comment.receipt_number)
    outbox.enqueue(comment.email, subject, body, topic=receipt_topic(comment))
    return True


# What the public pages and the API count: comments a moderator approved as valid, as the public may see them.
# Pending and rejected ones (gambling spam among them) are counted only in the feedback's own breakdown.
PUBLICLY_COUNTED = (Comment.moderation_status == ModerationStatus.APPROVED, Comment.validity == Validity.VALID)


@dataclass(frozen=True)
class PublicCounts:
    """The public numbers of a consultation: "N participants, M comments" and the comments per unit."""

    participants: int
    comments: int
    by_unit: dict[str | None, int]


def public_counts(consultation: Consultation) -> PublicCounts:
    """Every public number about a consultation's comments (notice page, API): approved, valid comments only."""
    by_unit = unit_comment_counts(consultation, *PUBLICLY_COUNTED)
    return PublicCounts(participant_count(consultation, *PUBLICLY_COUNTED), sum(by_unit.values()), by_unit)


def unit_comment_counts(consultation: Consultation, *conditions: ColumnElement[bool]) -> dict[str | None, int]:
    """Comments per unit key (None: on the whole draft), every channel; `conditions` narrow which are counted."""
    rows = db.session.execute(
        db.select(Comment.unit_key, func.count(Comment.id))
        .where(Comment.consultation_id == consultation.id, *conditions)
        .group_by(Comment.unit_key)
    ).all()
    return {key: count for key, count in rows}


def participant_count(consultation: Consultation, *conditions: ColumnElement[bool]) -> int:
    """People or organisations who commented: distinct names, each unnamed comment counted once."""
    of_consultation = (Comment.consultation_id == consultation.id, *conditions)
    named = db.session.scalar(
        db.select(func.count(func.distinct(Comment.author_name))).where(*of_consultation, Comment.author_name != "")
    )
    unnamed = db.session.scalar(db.select(func.count(Comment.id)).where(*of_consultation, Comment.author_name == ""))
    return int(named or 0) + int(unnamed or 0)


def max_content_length() -> int:
    return int(current_app.config["CONSULTATION_COMMENT_MAX_LENGTH"])
