"""The surveys' staff blueprint (/manage/surveys) and how its actions end: commit and say so, or roll back and say why.

The survey pages are in surveys/builder/views.py and the page, question and option routes of the builder in
surveys/builder/routes.py; both add their routes to this one blueprint, which checks the role once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect
from werkzeug.wrappers import Response as WerkzeugResponse

from core.extensions import db
from core.models import Role
from core.routing import Routes
from surveys import blueprints
from surveys.builder.services import BuilderError

bp = Routes(blueprints.manage, "", Role.EDITOR, Role.APPROVER)


def run(action: Callable[[], Any], success: str, target: str) -> WerkzeugResponse:
    """Apply a builder action: commit and say so, or roll back and show why it was refused."""
    try:
        action()
    except BuilderError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(target)
