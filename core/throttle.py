"""Login throttling from the audit log, so it holds across processes and hosts without extra storage.

Failures (wrong passwords and wrong second-factor codes alike) are counted per account and source address, and
per account overall; both login steps refuse while a lock holds. A lock always ends by itself
when the window passes, and a lock for one address does not stop the owner logging in from another, so
nobody can lock a colleague out for good.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func

from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db

LOGIN_FAILED = "auth.login_failed"


def login_lock_remaining(email: str, ip: str) -> timedelta | None:
    """How long this account is locked for this address, or None when a login may be tried."""
    config = current_app.config
    window = config["LOGIN_LOCK_WINDOW"]
    since = utcnow() - window
    failures = db.select(func.count(), func.max(AuditEvent.at)).where(
        AuditEvent.action == LOGIN_FAILED, AuditEvent.subject == email, AuditEvent.at >= since
    )
    from_source, last_from_source = db.session.execute(failures.where(AuditEvent.ip == ip)).one()
    if from_source >= config["LOGIN_FAILURES_PER_SOURCE"]:
        return last_from_source + window - utcnow()
    overall, last_overall = db.session.execute(failures).one()
    if overall >= config["LOGIN_FAILURES_PER_ACCOUNT"]:
        return last_overall + window - utcnow()
    return None
