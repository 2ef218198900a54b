"""The staff dashboard: what each staff member has to do, gathered from the features."""

from __future__ import annotations

from flask import Blueprint, render_template

from core.permissions import guard_blueprint
from core.portal import sections_for

bp = Blueprint("manage", __name__, url_prefix="/manage")
guard_blueprint(bp)


@bp.route("/")
def dashboard() -> str:
    sections = [(section, section.load()) for section in sections_for("dashboard")]
    return render_template("manage/dashboard.html", sections=sections)
