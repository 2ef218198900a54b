"""Tables of tamper evidence: the append-only, hash-chained seal ledger, the alerts it raised, and scan runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import utcnow
from core.extensions import db


class LedgerEntry(db.Model):
    """One seal: the hash of an item's canonical content when it was approved, chained to the entry before it.

    `entry_hash` is an HMAC (key outside the database) over this entry's fields and `prev_hash`: editing, removing
    or inserting a row breaks the chain for `flask integrity check`, and a row written by hand cannot be made valid.
    """

    __tablename__ = "integrity_ledger"
    __table_args__ = (Index("ix_integrity_ledger_subject", "kind", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "consultation", "consultation.feedback", "survey", "department", "release", "ledger" (start marker) …
    kind: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[str] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(64))
    # What made the seal: "approve", "publish", "seal-all", "release", "accept" …
    reason: Mapped[str] = mapped_column(String(40), default="")
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A snapshot of who approved, kept when the account is renamed or removed (part of the chained fields).
    approver_label: Mapped[str] = mapped_column(String(254), default="")
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Unique: two seals racing for the same predecessor cannot both be stored, so the chain never forks.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64))


class IntegrityAlert(db.Model):
    """A breach found while serving, by `integrity check` or by `integrity scan`; open until it holds again."""

    __tablename__ = "integrity_alerts"
    __table_args__ = (Index("ix_integrity_alerts_open", "resolved_at", "kind", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[str] = mapped_column(String(300))
    # "changed", "unsealed", "chain", "file_changed", "file_added", "file_missing", "manifest", "spam", "link" …
    problem: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    resolved_at: Mapped[datetime | None]


class InspectionRun(db.Model):
    """The findings of one scheduled run (content scan, link check), shown by /admin/inspection until the next."""

    __tablename__ = "integrity_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)  # "scan" or "links"
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    pages: Mapped[int] = mapped_column(default=0)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class LedgerIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_ledger_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, LedgerEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise LedgerIsAppendOnly("ledger entries cannot be changed or deleted")
