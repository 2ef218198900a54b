"""Staff login, second factor and logout. Residents need no account to take part."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pyotp
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from core import audit
from core.db import utcnow
from core.extensions import db, limiter
from core.forms import ConfirmForm, LoginForm, SecondFactorForm
from core.models import User
from core.passwords import hash_password, needs_rehash, verify_password
from core.sessions import end_current_session, start_session
from core.throttle import LOGIN_FAILED, login_lock_remaining

bp = Blueprint("auth", __name__)


def safe_next(default: str = "manage.dashboard") -> str:
    """The ?next= target when it stays on this site, else a default page (no open redirect)."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and "\\" not in target:
        return target
    return url_for(default)


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


# One budget per address for both steps of a login, in the limiter's store (Redis when several hosts serve).
_login_throttle = limiter.shared_limit(_login_rate_limit, scope="login", methods=["POST"])


def _refused_while_locked(email: str, template: str, form: FlaskForm) -> tuple[str, int] | None:
    """The page refusing a login step while the account is locked for this address (or everywhere), else None.

    The lock is counted from the audit log's failed logins (core/throttle.py): a wrong password and a wrong
    second-factor code count alike, and every worker and host sees the same count.
    """
    locked_for = login_lock_remaining(email, request.remote_addr or "")
    if locked_for is None:
        return None
    flash(
        _(
            "Too many failed attempts. Try again in %(wait)s, or ask the portal office for help.",
            wait=format_timedelta(locked_for, threshold=1.1),
        ),
        "error",
    )
    return render_template(template, form=form), 429


@bp.route("/login", methods=["GET", "POST"])
@_login_throttle
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if refused := _refused_while_locked(email, "auth/login.html", form):
            return refused
        user = db.session.scalar(db.select(User).where(User.email == email))
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        if user is None or not password_ok or not user.is_enabled:
            audit.record(LOGIN_FAILED, subject=email, detail={"reason": _failure_reason(user, password_ok)})
            db.session.commit()
            flash(_("The e-mail address or password is not right."), "error")
            return render_template("auth/login.html", form=form), 200
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(form.password.data)
        start_session(user, second_factor_done=user.totp_secret is None)
        user.last_login_at = utcnow()
        audit.record("auth.login", user, actor=user, subject=email)
        db.session.commit()
        if user.totp_secret:
            return redirect(url_for("auth.second_factor", next=request.args.get("next") or None))
        return redirect(safe_next())
    return render_template("auth/login.html", form=form)


def _failure_reason(user: User | None, password_ok: bool) -> str:
    if user is None:
        return "unknown_account"
    return "disabled" if password_ok else "wrong_password"


@bp.route("/login/second-factor", methods=["GET", "POST"])
@login_required
@_login_throttle
def second_factor() -> Any:
    staff_session = current_user.current_session
    if staff_session is None or staff_session.second_factor_done:
        return redirect(safe_next())
    form = SecondFactorForm()
    if form.validate_on_submit():
        # Checked before the code, so guessing codes stops at the same lock as guessing passwords.
        if refused := _refused_while_locked(current_user.email, "auth/second_factor.html", form):
            return refused
        if pyotp.TOTP(current_user.totp_secret).verify(form.code.data.strip(), valid_window=1):
            staff_session.second_factor_done = True
            audit.record("auth.second_factor", current_user)
            db.session.commit()
            return redirect(safe_next())
        audit.record(LOGIN_FAILED, subject=current_user.email, detail={"reason": "wrong_totp"})
        db.session.commit()
        form.code.errors = [*form.code.errors, _("That code is not right. Codes change every 30 seconds.")]
    return render_template("auth/second_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        audit.record("auth.logout", current_user)
        end_current_session(current_user)
        db.session.commit()
        flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"))
