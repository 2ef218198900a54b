"""A staff member's own account: change the password, set up or remove the second factor."""

from __future__ import annotations

from typing import Any

import pyotp
from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import audit
from core.db import utcnow
from core.extensions import db
from core.forms import ChangePasswordForm, ConfirmForm, SecondFactorForm
from core.passwords import hash_password, password_problems, verify_password
from core.permissions import guard_blueprint
from core.qr import qr_svg
from core.sessions import revoke_all_sessions, start_session

bp = Blueprint("account", __name__, url_prefix="/account")
guard_blueprint(bp)

_PENDING_TOTP = "pending_totp_secret"


@bp.route("/", methods=["GET", "POST"])
def settings() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problems = password_problems(
            form.new_password.data, user_inputs=(current_user.email, current_user.display_name)
        )
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors = [_("The current password is not right.")]
        elif problems:
            form.new_password.errors = problems
        else:
            current_user.password_hash = hash_password(form.new_password.data)
            current_user.password_changed_at = utcnow()
            user = current_user._get_current_object()
            # A new password ends every other session, including any an attacker may hold.
            revoke_all_sessions(user)
            start_session(user, second_factor_done=True)
            audit.record("account.password_changed", user)
            db.session.commit()
            flash(_("Your password has been changed. Other sessions have been logged out."), "success")
            return redirect(url_for("account.settings"))
    return render_template("account/settings.html", form=form, confirm=ConfirmForm())


@bp.route("/second-factor", methods=["GET", "POST"])
def setup_second_factor() -> Any:
    if current_user.totp_secret:
        return redirect(url_for("account.settings"))
    secret = session.get(_PENDING_TOTP) or pyotp.random_base32()
    session[_PENDING_TOTP] = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=current_user.email, issuer_name=current_app.config["TOTP_ISSUER"])
    form = SecondFactorForm()
    if form.validate_on_submit():
        if pyotp.TOTP(secret).verify(form.code.data.strip(), valid_window=1):
            current_user.totp_secret = secret
            session.pop(_PENDING_TOTP, None)
            audit.record("account.second_factor_enabled", current_user)
            db.session.commit()
            flash(_("The second factor is on. You will be asked for a code at each login."), "success")
            return redirect(url_for("account.settings"))
        form.code.errors = [*form.code.errors, _("That code is not right. Codes change every 30 seconds.")]
    return render_template(
        "account/second_factor.html", form=form, secret=secret, qr=qr_svg(uri, title=_("Set-up code"))
    )


@bp.route("/second-factor/remove", methods=["POST"])
def remove_second_factor() -> Any:
    if ConfirmForm().validate_on_submit() and current_user.totp_secret:
        current_user.totp_secret = None
        audit.record("account.second_factor_removed", current_user)
        db.session.commit()
        flash(_("The second factor has been removed."), "info")
    return redirect(url_for("account.settings"))
