"""Server-side staff sessions: issued at login, checked on every request, revocable from the server."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, request
from flask_login import login_user, logout_user
from sqlalchemy import update

from core.db import utcnow
from core.extensions import db, login_manager
from core.models import StaffSession, User, hash_token

# Writing last_seen_at on every request would turn reads into writes; a minute of slack is plenty.
_TOUCH_INTERVAL = timedelta(seconds=60)


def start_session(user: User, *, second_factor_done: bool) -> StaffSession:
    """Issue a new server-side session and log the user in with it (the caller commits)."""
    staff_session = StaffSession.issue(user, request.remote_addr or "", request.user_agent.string or "")
    staff_session.second_factor_done = second_factor_done
    db.session.add(staff_session)
    db.session.flush()
    user.current_session = staff_session
    login_user(user)
    return staff_session


def end_current_session(user: User) -> None:
    if user.current_session is not None:
        user.current_session.revoked_at = utcnow()
    logout_user()


def revoke_all_sessions(user: User) -> int:
    """End every session of a user, e.g. when the account is disabled or its password changes."""
    result = db.session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0


def _expired(staff_session: StaffSession, now: datetime) -> bool:
    config = current_app.config
    return (
        now - staff_session.last_seen_at > config["STAFF_IDLE_TIMEOUT"]
        or now - staff_session.created_at > config["STAFF_ABSOLUTE_TIMEOUT"]
    )


@login_manager.user_loader
def load_user_from_session_token(token: str) -> User | None:
    staff_session = db.session.scalar(db.select(StaffSession).where(StaffSession.token_hash == hash_token(token)))
    if staff_session is None or staff_session.revoked_at is not None or not staff_session.user.is_enabled:
        return None
    now = utcnow()
    if _expired(staff_session, now):
        staff_session.revoked_at = now
        db.session.commit()
        return None
    if now - staff_session.last_seen_at > _TOUCH_INTERVAL:
        staff_session.last_seen_at = now
        db.session.commit()
    staff_session.plain_token = token
    user = staff_session.user
    user.current_session = staff_session
    return user
