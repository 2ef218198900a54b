"""The staff dashboard: what each staff member has to do, gathered from the features."""

from __future__ import annotations

from flask import render_template

from core import blueprints
from core.portal import sections_for
from core.routing import Routes

bp = Routes(blueprints.manage)


@bp.route("/")
def dashboard() -> str:
    sections = [(section, section.load()) for section in sections_for("dashboard")]
    return render_template("manage/dashboard.html", sections=sections)
