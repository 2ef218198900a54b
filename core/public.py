"""Public pages shared by every feature: home, department directory, privacy notice, language choice, health."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, make_response, redirect, render_template, request, url_for
from sqlalchemy import text

from core import blueprints, integrity, page_cache
from core.auth import safe_next
from core.care import COOKIE as CARE_COOKIE
from core.care import MAX_AGE as CARE_MAX_AGE
from core.care import ON as CARE_ON
from core.extensions import csrf, db
from core.forms import ConfirmForm
from core.models import Department
from core.portal import sections_for
from core.routing import Routes

bp = Routes(blueprints.public)

LANGUAGE_COOKIE = "lang"


@bp.route("/")
def home() -> str:
    return page_cache.cached_page("home", _render_home)


def _render_home() -> str:
    sections = [(section, section.load()) for section in sections_for("home")]
    return render_template("public/home.html", sections=sections)


@bp.route("/departments")
def departments() -> str:
    rows = db.session.scalars(
        db.select(Department).where(Department.is_active.is_(True)).order_by(Department.name)
    ).all()
    return render_template("public/departments.html", departments=integrity.servable("department", rows))


@bp.route("/privacy")
def privacy() -> str:
    return render_template("public/privacy.html")


@bp.route("/contact")
def contact() -> str:
    """联系我们: the site's own office from configuration, and the department directory for everything else."""
    return render_template("public/contact.html")


@bp.route("/care")
def care() -> Any:
    """Switch the 长辈版 on or off: a cookie, then back to the page the visitor came from (core/care.py says why a
    plain link is safe here)."""
    response = make_response(redirect(_back_on_site()))
    if request.args.get("mode") == "off":
        response.delete_cookie(CARE_COOKIE, samesite="Lax", httponly=True, secure=request.is_secure)
    else:
        response.set_cookie(
            CARE_COOKIE, CARE_ON, max_age=CARE_MAX_AGE, samesite="Lax", httponly=True, secure=request.is_secure
        )
    return response


def _back_on_site() -> str:
    # safe_next keeps the target on this site; control characters (a tab a browser would drop, turning "/\t/x"
    # into "//x") are refused too.
    target = safe_next(default="public.home")
    return url_for("public.home") if any(ord(char) < 32 or char == "\x7f" for char in target) else target


@bp.route("/language", methods=["POST"])
def choose_language() -> Any:
    """Remember the visitor's language in a cookie (a preference only; no server state changes)."""
    ConfirmForm().validate_on_submit()  # CSRF is checked globally; this keeps the form shape uniform
    choice = request.form.get("lang", "")
    response = make_response(redirect(safe_next(default="public.home")))
    if choice in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            choice,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


@bp.route("/healthz")
@csrf.exempt
def healthz() -> Any:
    """For load balancers and monitoring: 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy", whatever the driver raises
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/favicon.ico")
def favicon() -> Any:
    return redirect(url_for("static", filename="img/emblem.svg"))
