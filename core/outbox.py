"""The outbox: every e-mail is a row written in the same transaction as what caused it, sent later by the worker.

A resident's request never waits for SMTP, a mail server that is down loses nothing (a row waits and is tried
again with a growing pause, at most OUTBOX_MAX_DELAY apart, until OUTBOX_GIVE_UP_AFTER has passed), and no message
goes out twice: a sender claims a row with one conditional UPDATE (queued → sending) before talking to the server,
so two workers, or two hosts, never both hold it. Only a worker killed between the server's "250 OK" and the
next write could send one again, after OUTBOX_STALE_CLAIM.

Callers: `enqueue(...)` before their commit, `wake()` after it.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import ForeignKey, Index, Integer, String, Text, insert, update
from sqlalchemy.orm import Mapped, mapped_column

from core import mail, tasks
from core.db import created_at, enum_by_value, utcnow
from core.extensions import db


class OutboxStatus(StrEnum):
    QUEUED = "queued"  # waiting for its first or next attempt
    SENDING = "sending"  # claimed by a worker that is talking to the mail server now
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # refused for good (bad address) or still undelivered after OUTBOX_GIVE_UP_AFTER


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the message is about, so a page can say what became of it ("comment-receipt:42").
    topic: Mapped[str] = mapped_column(String(80), default="", index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[OutboxStatus] = mapped_column(enum_by_value(OutboxStatus, 20), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[created_at]
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # The staff member whose action wrote it, when there was one (a resident's receipt has none).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def enqueue(recipient: str, subject: str, body: str, *, topic: str = "", actor_id: int | None = None) -> None:
    """Write one message into the caller's transaction; it goes out only if that transaction commits."""
    db.session.add(
        OutboxMessage(
            recipient=recipient,
            subject=subject[:300],
            body=body,
            topic=topic,
            actor_id=actor_id,
            next_attempt_at=utcnow(),
        )
    )


def enqueue_many(messages: Iterable[tuple[str, str, str, str]]) -> int:
    """(recipient, subject, body, topic) of many messages in one INSERT, in the caller's transaction: 10,000
    feedback notices are one statement, not 10,000 objects for the session to track."""
    now = utcnow()
    rows = [
        {"recipient": recipient, "subject": subject[:300], "body": body, "topic": topic, "status": OutboxStatus.QUEUED,
         "attempts": 0, "created_at": now, "next_attempt_at": now, "last_error": ""}
        for recipient, subject, body, topic in messages
    ]  # fmt: skip
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
    return len(rows)


def wake() -> None:
    """After the commit: ask the worker to send what is due now (the minute sweep would find it anyway)."""
    tasks.enqueue_safely(send_due)


def status_of(topic: str) -> OutboxMessage | None:
    """The latest message about `topic`, to tell the resident whether it is queued, sent or failed."""
    return db.session.scalar(
        db.select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id.desc()).limit(1)
    )


def setting(name: str) -> timedelta:
    """A duration setting: a timedelta in instance/config.py, or seconds from a FLASK_… environment variable."""
    value = current_app.config[name]
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def server_configured() -> bool:
    config = current_app.config
    return bool(config["MAIL_SUPPRESS_SEND"] or config["MAIL_SERVER"])


# ------------------------------------------------------------------------------------------------ sending


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


@tasks.task()
def send_due() -> SendReport:
    """Claim and send every message that is due, in batches over one SMTP connection each."""
    report = SendReport()
    if not server_configured():
        return report  # held until a server is configured: nothing is lost, nothing is tried
    release_stale_claims()
    batch_size = current_app.config["OUTBOX_BATCH"]
    # Only what was due when this run began: a message put back for later is not tried twice in one run.
    started = utcnow()
    session = db.session()
    # The claimed rows are this worker's alone: keep their loaded values across the per-message commits instead of
    # reloading every remaining row after each one (30 ms a message on SQLite otherwise).
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        while claimed := _claim(batch_size, started):
            if not _send_batch(claimed, report):
                break  # the server is unreachable: the rest wait for the next run instead of failing one by one
    finally:
        session.expire_on_commit = expire_on_commit
    return report


def _claim(limit: int, now: datetime) -> list[OutboxMessage]:
    """Take up to `limit` due rows for this worker; the conditional UPDATE is what makes a claim exclusive."""
    candidates = db.session.scalars(
        db.select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    if not candidates:
        return []
    # Re-checked under the row lock: a row another worker claimed in between is no longer 'queued' and is skipped.
    won = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates), OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    if not won:
        return _claim(limit, now)  # another worker took this batch; look again
    return list(db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.id.in_(won))))


def _send_batch(messages: list[OutboxMessage], report: SendReport) -> bool:
    """Send a claimed batch; False when the server could not be reached (every unsent message waits)."""
    try:
        with mail.connection() as sender:
            for message in messages:
                _send_one(sender, message, report)
                db.session.commit()  # each outcome is durable at once: a crash later never resends this one
    except (OSError, smtplib.SMTPException) as error:
        # The server could not be reached or dropped the connection: every message not yet sent waits.
        for message in messages:
            if message.status is OutboxStatus.SENDING:
                _retry_later(message, f"{type(error).__name__}: {error}", report)
        db.session.commit()
        return False
    return True


def _send_one(sender: mail.Sender, message: OutboxMessage, report: SendReport) -> None:
    try:
        sender.send(message.recipient, message.subject, message.body)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
        if _permanent(error):
            _finish(message, OutboxStatus.FAILED, _describe(error))
            report.failed += 1
            mail.count_outcome("failed")
        else:
            _retry_later(message, _describe(error), report)
        return
    _finish(message, OutboxStatus.SENT, "")
    report.sent += 1
    mail.count_outcome("sent")


def _describe(error: smtplib.SMTPException) -> str:
    """The server's answer without the address it names (the error is shown to staff; addresses are masked)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values())
        return f"{type(error).__name__}: {answers}"
    return f"{type(error).__name__}: {error}"


def _permanent(error: smtplib.SMTPException) -> bool:
    """A 5xx answer (no such mailbox, refused) will not change by trying again; 4xx will."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return getattr(error, "smtp_code", 0) >= 500


def _finish(message: OutboxMessage, status: OutboxStatus, error: str) -> None:
    message.status = status
    message.last_error = error[:500]
    message.claimed_at = None
    if status is OutboxStatus.SENT:
        message.sent_at = utcnow()


def _retry_later(message: OutboxMessage, error: str, report: SendReport) -> None:
    now = utcnow()
    if now - message.created_at >= setting("OUTBOX_GIVE_UP_AFTER"):
        _finish(message, OutboxStatus.FAILED, error)
        report.failed += 1
        mail.count_outcome("failed")
        return
    # 1, 2, 4 … minutes, never more than OUTBOX_MAX_DELAY: after an outage every message goes within that pause.
    delay = min(setting("OUTBOX_FIRST_DELAY") * 2 ** max(message.attempts - 1, 0), setting("OUTBOX_MAX_DELAY"))
    message.status = OutboxStatus.QUEUED
    message.claimed_at = None
    message.next_attempt_at = now + delay
    message.last_error = error[:500]
    report.retrying += 1


def release_stale_claims() -> int:
    """Claims of a worker that died mid-send go back to the queue after OUTBOX_STALE_CLAIM."""
    cutoff = utcnow() - setting("OUTBOX_STALE_CLAIM")
    released = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < cutoff)
        .values(status=OutboxStatus.QUEUED, claimed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return released or 0


def retry_now(message: OutboxMessage) -> None:
    """Staff ask for a failed message to be tried again (after fixing the address or the server)."""
    message.status = OutboxStatus.QUEUED
    message.next_attempt_at = utcnow()
    message.created_at = utcnow()  # a new give-up window from now


def purge_sent(older_than: timedelta) -> int:
    """Sent messages hold residents' addresses: keep them only as long as staff need to see them."""
    cutoff = utcnow() - older_than
    return (
        db.session.execute(
            db.delete(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < cutoff)
        ).rowcount
        or 0
    )


def counts() -> dict[OutboxStatus, int]:
    rows = db.session.execute(db.select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status))
    found = {status: count for status, count in rows}
    return {status: found.get(status, 0) for status in OutboxStatus}
