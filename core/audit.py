"""The audit log: who did what to which object, when and from where. Append-only for the application."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import utcnow
from core.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_action_at", "action", "at"),
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_login_failures", "action", "subject", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A snapshot of who acted, kept even if the account is later renamed or removed.
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(40), default="")
    # For logins: the e-mail address that was tried, so failures against unknown accounts are visible too.
    subject: Mapped[str] = mapped_column(String(254), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")


def record(
    action: str,
    obj: Any = None,
    *,
    detail: dict[str, Any] | None = None,
    actor: Any = None,
    subject: str = "",
) -> AuditEvent:
    """Add an audit event to the session (the caller's commit stores it with the change it describes)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()  # a new object gets its id here, so the event can name it
    event_row = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", "") if actor is not None else "",
        object_type=obj.__tablename__ if obj is not None else "",
        object_id=str(obj.id) if obj is not None else "",
        subject=subject,
        detail=detail or {},
    )
    if has_request_context():
        event_row.ip = request.remote_addr or ""
        event_row.user_agent = (request.user_agent.string or "")[:300]
    db.session.add(event_row)
    return event_row


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit events cannot be changed or deleted")
