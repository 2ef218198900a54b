"""Who may do what with a survey: every rule of the surveys feature in one place.

Editors build and submit the surveys of their departments; an approver of the department who neither wrote nor
submitted a survey reviews it (four-eyes rule); results are seen by the department's staff, moderators and
administrators. The `*_or_403` loaders check access once per request for the staff views.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from core.extensions import db
from core.links import site_url
from core.models import Role
from core.permissions import can
from surveys.models import ReviewStatus, Survey


def may_edit(user: Any, survey: Survey) -> bool:
    return bool(user.is_authenticated) and user.has_role(Role.EDITOR, survey.department_id)


def may_review(user: Any, survey: Survey) -> bool:
    """Approvers of the survey's department, except whoever wrote or submitted it (four-eyes rule)."""
    return (
        bool(user.is_authenticated)
        and user.has_role(Role.APPROVER, survey.department_id)
        and user.id not in (survey.created_by_id, survey.submitted_by_id)
    )


def may_see_results(user: Any, survey: Survey) -> bool:
    return (
        can(user, Role.EDITOR, survey.department_id)
        or can(user, Role.APPROVER, survey.department_id)
        or can(user, Role.MODERATOR)
        or can(user, Role.ADMIN)
    )


def public_results_available(survey: Survey) -> bool:
    """Anyone may read the results once the department published them for an approved survey."""
    return survey.results_published and survey.status is ReviewStatus.APPROVED


def may_publish_results(user: Any, survey: Survey) -> bool:
    return can(user, Role.EDITOR, survey.department_id) or can(user, Role.APPROVER, survey.department_id)


def staff_department_ids(user: Any) -> set[int]:
    """The departments whose surveys the user works on, as an editor or an approver."""
    return user.department_ids(Role.EDITOR) | user.department_ids(Role.APPROVER)


def survey_for_staff_or_403(survey_id: int, *, edit: bool = False) -> Survey:
    """The survey if the current user works for its department (as an editor, when `edit`)."""
    survey = db.get_or_404(Survey, survey_id)
    if edit and not may_edit(current_user, survey):
        abort(403)
    if survey.department_id not in staff_department_ids(current_user):
        abort(403)
    return survey


def survey_for_results_or_403(survey_id: int) -> Survey:
    survey = db.get_or_404(Survey, survey_id)
    if not may_see_results(current_user, survey):
        abort(403)
    return survey


def share_url(survey: Survey) -> str:
    """The short link printed on posters and in QR codes (/s/<code>, at the site root)."""
    return site_url("surveys.short", code=survey.short_code)
