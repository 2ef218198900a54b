"""The seal ledger: append a seal, read an item's latest seal, walk the chain.

Each entry's `entry_hash` is HMAC-SHA256, under a key kept outside the database (INTEGRITY_KEY, else derived from
SECRET_KEY), of its own fields and the previous entry's `entry_hash`. Someone who can write the database but not
read the key can neither forge a seal for changed content nor remove or edit an entry without `check` noticing.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_request_context
from flask_login import current_user
from sqlalchemy import func, text
from sqlalchemy.orm import aliased

from core.db import utcnow
from core.extensions import db
from core.integrity import canonical, registry
from core.integrity.models import LedgerEntry

GENESIS = "0" * 64
START_KIND = "ledger"  # the marker `seal-all` writes: from then on an unsealed published item is not served
# The content hash of an entry saying the workflow took the item off the public site (a survey reopened for changes,
# a department no longer listed): a sealed item that is gone without one was deleted or hidden behind its back.
WITHDRAWN = "withdrawn"
_LOCK_ID = 0x6D696E7969  # PostgreSQL advisory lock that serialises appends to the chain


def _key() -> bytes:
    configured = current_app.config.get("INTEGRITY_KEY")
    if configured:
        return str(configured).encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"minyi integrity ledger", hashlib.sha256).digest()


def sign(data: bytes) -> str:
    """HMAC of bytes kept outside the database (a cache file the public reads from) under the ledger's key."""
    return hmac.new(_key(), data, hashlib.sha256).hexdigest()


def entry_hash(entry: LedgerEntry) -> str:
    fields = [
        entry.prev_hash,
        entry.kind,
        entry.subject_id,
        entry.content_hash,
        entry.reason,
        entry.approver_id,
        entry.approver_label,
        entry.sealed_at,
    ]
    return hmac.new(_key(), canonical.canonical_bytes(fields), hashlib.sha256).hexdigest()


def _head() -> LedgerEntry | None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    return db.session.scalar(db.select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(1))


def append(kind: str, subject_id: str, content_hash: str, reason: str, approver: Any = None) -> LedgerEntry:
    """Add one entry at the head of the chain (flushed; the caller's commit stores it with the approval)."""
    if approver is None and has_request_context() and current_user.is_authenticated:
        approver = current_user
    head = _head()
    entry = LedgerEntry(
        kind=kind,
        subject_id=str(subject_id),
        content_hash=content_hash,
        reason=reason,
        approver_id=getattr(approver, "id", None),
        approver_label=getattr(approver, "email", "") if approver is not None else "",
        sealed_at=utcnow().replace(microsecond=0),
        prev_hash=head.entry_hash if head is not None else GENESIS,
    )
    entry.entry_hash = entry_hash(entry)
    db.session.add(entry)
    db.session.flush()
    return entry


def seal(kind: str, subject: Any, approver: Any = None, reason: str = "approve") -> LedgerEntry | None:
    """Seal the published item's content as it is now: `seal("consultation", consultation, approver)`.

    `subject` is the item or its id. Call it in the service that approves or publishes, before the commit. An item
    that is not published (its kind's content is None) is not sealed and None is returned; if it was, its taking
    off the site is recorded (`WITHDRAWN`), so the service that unpublishes an item calls this too.
    """
    subject_id = str(getattr(subject, "id", subject))
    db.session.flush()  # the kind's loader may read the tables: let it see this approval's changes
    sealable = registry.kind(kind)
    content = sealable.content(subject_id)
    if content is None:
        sealed = latest(kind, subject_id)
        if sealed is not None and sealed.content_hash != WITHDRAWN:
            append(kind, subject_id, WITHDRAWN, reason, approver)
        return None
    entry = append(kind, subject_id, canonical.content_hash(content), reason, approver)
    seal_summary(sealable, subject_id, reason, approver)
    from core.integrity import files  # files builds on this module

    files.seal_files(sealable, subject_id, reason, approver)
    return entry


def seal_summary(sealable: registry.SealableKind, subject_id: str, reason: str, approver: Any = None) -> None:
    """Seal what a list shows of the item (see SealableKind.summary), when its kind has lists."""
    if sealable.summary is None or sealable.list_item is None:
        return
    item = sealable.list_item(subject_id)
    if item is not None:
        summary_hash = canonical.content_hash(sealable.summary(item))
        append(sealable.name + registry.LIST_SUFFIX, subject_id, summary_hash, reason, approver)


def latest(kind: str, subject_id: str) -> LedgerEntry | None:
    return db.session.scalar(
        db.select(LedgerEntry)
        .where(LedgerEntry.kind == kind, LedgerEntry.subject_id == str(subject_id))
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    )


_before = aliased(LedgerEntry)
# The entry_hash of the entry before the one selected, in the same query.
_PREVIOUS = (
    db.select(_before.entry_hash)
    .where(_before.id < LedgerEntry.id)
    .order_by(_before.id.desc())
    .limit(1)
    .correlate(LedgerEntry)
    .scalar_subquery()
)


def latest_in_place(kind: str, subject_id: str) -> tuple[LedgerEntry | None, bool]:
    """The item's latest seal, and whether it follows the entry before it: an old seal copied to the end of the
    chain (to have a restored old version served) carries a valid HMAC but points at an entry that is no longer its
    predecessor. One query, as `latest`."""
    row = db.session.execute(
        db.select(LedgerEntry, _PREVIOUS)
        .where(LedgerEntry.kind == kind, LedgerEntry.subject_id == str(subject_id))
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None, True
    entry, previous = row
    return entry, hmac.compare_digest(entry.prev_hash, previous or GENESIS)


def head_id() -> int:
    return db.session.scalar(db.select(func.max(LedgerEntry.id))) or 0


# The same as a column, for a query a request runs anyway (see verify.head_column).
HEAD_COLUMN = db.select(func.max(LedgerEntry.id)).scalar_subquery().label("integrity_head")


def start_subject(generation: int = 1) -> str:
    """The start marker of a `seal-all` generation: "start", then "start-2" … (see SealableKind.since)."""
    return "start" if generation <= 1 else f"start-{generation}"


def start_marker(generation: int = 1) -> int | None:
    """The id of the generation's start marker, None before its `seal-all` ran."""
    query = db.select(LedgerEntry.id).where(
        LedgerEntry.kind == START_KIND, LedgerEntry.subject_id == start_subject(generation)
    )
    return db.session.scalar(query.order_by(LedgerEntry.id).limit(1))


def started(generation: int = 1) -> bool:
    return start_marker(generation) is not None


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    problem: str  # "edited" (its own fields changed) or "gap" (an entry before it was removed, or the order changed)


def chain_breaks() -> list[ChainBreak]:
    """Every place the chain does not hold, walking it in bounded memory."""
    breaks, previous = [], GENESIS
    rows = db.session.execute(db.select(LedgerEntry).order_by(LedgerEntry.id).execution_options(yield_per=1000))
    for entry in rows.scalars():
        if entry.prev_hash != previous:
            breaks.append(ChainBreak(entry.id, "gap"))
        if not hmac.compare_digest(entry.entry_hash, entry_hash(entry)):
            breaks.append(ChainBreak(entry.id, "edited"))
        previous = entry.entry_hash
    return breaks
