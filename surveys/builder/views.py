"""Staff pages of the surveys: the list, creating and editing a survey, review, preview and sharing.

The page, question and option routes of the builder are in surveys/builder/routes.py, on the same blueprint
(surveys/builder/staff.py).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from core.extensions import db
from core.models import Department, Role
from surveys.builder import review
from surveys.builder.services import create_survey, update_survey
from surveys.builder.staff import bp, run
from surveys.forms import QUESTION_TYPE_LABELS, FinalPageForm, ReviewForm, SurveyForm
from surveys.models import ReviewStatus, Survey
from surveys.permissions import may_edit, may_review, share_url, staff_department_ids, survey_for_staff_or_403
from surveys.taking.responding import response_count
from surveys.taking.steps import build_page


@bp.route("/")
def index() -> str:
    surveys = db.session.scalars(
        db.select(Survey)
        .where(Survey.department_id.in_(staff_department_ids(current_user)))
        .order_by(Survey.created_at.desc())
    ).all()
    # Approvers review; only an editor creates or imports a survey, so only an editor is offered the buttons.
    may_create = bool(current_user.department_ids(Role.EDITOR))
    return render_template("surveys_manage/index.html", surveys=surveys, may_create=may_create)


def _survey_form() -> SurveyForm:
    form = SurveyForm()
    departments = db.session.scalars(
        db.select(Department).where(Department.id.in_(current_user.department_ids(Role.EDITOR)))
    ).all()
    form.department_id.choices = [SelectChoice(department.id, department.name) for department in departments]
    return form


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    form = _survey_form()
    if not form.department_id.choices:
        abort(403)
    if form.validate_on_submit():
        survey = create_survey(form.department_id.data, form.model_fields(), current_user)
        db.session.commit()
        flash(_("The survey has been created. Now add its questions."), "success")
        return redirect(url_for("surveys_manage.edit", survey_id=survey.id))
    return render_template("surveys_manage/settings.html", form=form, survey=None)


@bp.route("/<int:survey_id>/settings", methods=["GET", "POST"])
def settings(survey_id: int) -> Any:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    form = _survey_form()
    if request.method == "GET":
        form.fill_from(survey)
    elif form.validate_on_submit():
        return run(
            lambda: update_survey(survey, form.model_fields()),
            _("The survey has been saved."),
            url_for("surveys_manage.edit", survey_id=survey.id),
        )
    return render_template("surveys_manage/settings.html", form=form, survey=survey)


@bp.route("/<int:survey_id>")
def edit(survey_id: int) -> str:
    survey = survey_for_staff_or_403(survey_id)
    return render_template(
        "surveys_manage/edit.html",
        survey=survey,
        responses=response_count(survey),
        review_form=ReviewForm(),
        may_edit=may_edit(current_user, survey),
        may_review=may_review(current_user, survey),
        share_url=share_url(survey),
        type_labels=QUESTION_TYPE_LABELS,
    )


@bp.route("/<int:survey_id>/preview")
def preview(survey_id: int) -> str:
    """The survey as a resident sees it on a phone, page by page, without storing anything."""
    survey = survey_for_staff_or_403(survey_id)
    index = request.args.get("page", 0, type=int)
    state = build_page(survey, index, {}, {}, {})
    return render_template(
        "surveys_manage/preview.html", survey=survey, state=state, seed="preview", final_form=FinalPageForm()
    )


@bp.route("/<int:survey_id>/submit", methods=["POST"])
def submit(survey_id: int) -> WerkzeugResponse:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    return run(
        lambda: review.submit(survey, current_user),
        _("The survey has been submitted for review."),
        url_for("surveys_manage.edit", survey_id=survey.id),
    )


@bp.route("/<int:survey_id>/review", methods=["POST"])
def decide(survey_id: int) -> WerkzeugResponse:
    survey = survey_for_staff_or_403(survey_id)
    form = ReviewForm()
    note = form.note.data or ""
    if request.form.get("decision") == "approve":
        return run(
            lambda: review.approve(survey, current_user, note),
            _("The survey has been approved."),
            url_for("surveys_manage.edit", survey_id=survey.id),
        )
    return run(
        lambda: review.return_for_changes(survey, current_user, note),
        _("The survey has been returned to its editor."),
        url_for("surveys_manage.edit", survey_id=survey.id),
    )


@bp.route("/<int:survey_id>/reopen", methods=["POST"])
def reopen(survey_id: int) -> WerkzeugResponse:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    return run(
        lambda: review.reopen(survey, current_user),
        _("The survey is a draft again; it needs a new approval before residents see it."),
        url_for("surveys_manage.edit", survey_id=survey.id),
    )


def dashboard_section() -> dict[str, Any]:
    """For the staff dashboard: surveys waiting for this approver, and this editor's returned surveys."""
    if not current_user.is_authenticated:
        return {"to_review": [], "returned": []}
    approver_of = current_user.department_ids(Role.APPROVER)
    editor_of = current_user.department_ids(Role.EDITOR)
    in_review = db.session.scalars(
        db.select(Survey).where(Survey.status == ReviewStatus.IN_REVIEW, Survey.department_id.in_(approver_of))
    ).all()
    returned = db.session.scalars(
        db.select(Survey).where(Survey.status == ReviewStatus.RETURNED, Survey.department_id.in_(editor_of))
    ).all()
    return {
        "to_review": [survey for survey in in_review if may_review(current_user, survey)],
        "returned": list(returned),
    }
