"""Alerting the portal office: an open alert per broken item (dashboard), an audit event, and an e-mail.

An alert is written in its own transaction, so it is kept whatever becomes of the request that found the breach
(a public GET never commits), and raised once: while an alert for the same item and problem is open, nothing new
is written or sent.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from cachetools import TTLCache
from flask import current_app
from sqlalchemy.orm import Session

from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from core.integrity import registry
from core.integrity.models import IntegrityAlert
from core.models import Membership, Role, User

_RECENT = "minyi_integrity_recent_alerts"
_lock = threading.RLock()


def _recent() -> TTLCache[tuple[str, str, str], bool]:
    """Items this application alerted recently: a page hit a thousand times a minute asks the database once."""
    with _lock:
        recent = current_app.extensions.get(_RECENT)
        if recent is None:
            recent = current_app.extensions[_RECENT] = TTLCache(maxsize=4096, ttl=60, timer=time.monotonic)
        return recent


def open_alerts(limit: int = 200) -> list[IntegrityAlert]:
    return list(
        db.session.scalars(
            db.select(IntegrityAlert)
            .where(IntegrityAlert.resolved_at.is_(None))
            .order_by(IntegrityAlert.at.desc())
            .limit(limit)
        )
    )


def open_counts_by_kind() -> dict[str, int]:
    """Open alerts of broken seals by kind (the scan's spam and link findings left to the self-inspection)."""
    rows = db.session.execute(
        db.select(IntegrityAlert.kind, db.func.count())
        .where(IntegrityAlert.resolved_at.is_(None), IntegrityAlert.problem.not_in(("spam", "link")))
        .group_by(IntegrityAlert.kind)
    )
    return {kind: count for kind, count in rows}


def raise_alert(kind: str, subject_id: str, problem: str, detail: dict[str, Any] | None = None) -> bool:
    """Record the breach unless it is already open; True when a new alert was written (and mailed)."""
    key, recent = (kind, str(subject_id), problem), _recent()
    with _lock:
        if key in recent:
            return False
        recent[key] = True
    description = registry.describe(kind, str(subject_id)) if kind in registry.kinds() else f"{kind} {subject_id}"
    with Session(db.engine) as session:
        already = session.scalar(
            db.select(IntegrityAlert.id).where(
                IntegrityAlert.kind == kind,
                IntegrityAlert.subject_id == str(subject_id),
                IntegrityAlert.problem == problem,
                IntegrityAlert.resolved_at.is_(None),
            )
        )
        if already is not None:
            return False
        full_detail = {"description": description, **(detail or {})}
        session.add(IntegrityAlert(kind=kind, subject_id=str(subject_id), problem=problem, detail=full_detail))
        session.add(
            AuditEvent(
                action="integrity.alert",
                object_type=kind[:40],
                object_id=str(subject_id)[:40],
                detail={"problem": problem, **full_detail},
            )
        )
        queued = _queue_mail(session, _recipients(session), kind, str(subject_id), problem, description)
        session.commit()
    current_app.logger.warning("integrity alert: %s %s %s", problem, kind, subject_id)
    if queued:
        _wake_outbox()
    return True


def resolve_holding(still_broken: set[tuple[str, str, str]]) -> int:
    """Close every open alert of the kinds checked that is no longer broken; returns how many."""
    closed = 0
    for alert in open_alerts(limit=100000):
        if alert.problem in ("spam", "link"):
            continue  # the scan resolves its own
        if (alert.kind, alert.subject_id, alert.problem) not in still_broken:
            alert.resolved_at = utcnow()
            closed += 1
    with _lock:
        _recent().clear()
    return closed


def _recipients(session: Session) -> list[str]:
    configured = [address for address in current_app.config.get("INTEGRITY_ALERT_EMAILS", ()) if address]
    admins = session.scalars(
        db.select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.ADMIN, User.is_enabled.is_(True))
    ).all()
    return sorted(set(configured) | set(admins))


def _queue_mail(
    session: Session, recipients: list[str], kind: str, subject_id: str, problem: str, description: str
) -> bool:
    """Write the e-mails into the outbox in the alert's own transaction (the request's may never commit)."""
    # Plain text in both languages: the portal office may read either.
    subject = f"[{current_app.config['SITE_NAME']}] 网页防篡改告警 / integrity alert: {description}"
    body = (
        f"发现异常：{description}（{kind} {subject_id}，{problem}）。该内容已停止对外提供，请核查。\n"
        f"Integrity alert: {description} ({kind} {subject_id}, {problem}). It is no longer served; please check.\n\n"
        "flask --app app integrity check\n"
    )
    from core.outbox import OutboxMessage

    for address in recipients:
        message = OutboxMessage(recipient=address, subject=subject[:300], body=body, topic="integrity-alert")
        message.next_attempt_at = utcnow()
        session.add(message)
    return bool(recipients)


def _wake_outbox() -> None:
    from core import outbox

    try:
        outbox.wake()
    except Exception:  # the minute sweep sends it anyway; an alert must never fail the page that found it
        current_app.logger.exception("integrity: waking the outbox failed")
