"""The legality reviewer's pages (justice bureau, Role.REVIEWER): drafts submitted for 合法性审查 with their
checklist and packet; mark a packet received, return it with reasons, or pass it."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consultation import blueprints
from consultation.drafting.services import WorkflowError
from consultation.handling import feedback
from consultation.legality import gate as legality
from consultation.legality import labels as review_labels
from consultation.legality.forms import PassForm, ReturnForm
from consultation.models import Consultation
from consultation.permissions import is_legality_reviewer, require
from consultation.summary.document import SLOW_PDF_ROWS
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Role
from core.routing import Routes

bp = Routes(blueprints.manage, "/review", Role.REVIEWER)


def _load(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    require(is_legality_reviewer(current_user, consultation))
    return consultation


def _to_item(consultation: Consultation) -> Any:
    return redirect(url_for("consultation_manage.review_item", consultation_id=consultation.id))


@bp.route("/", endpoint="review_queue")
def index() -> str:
    drafts = [
        (consultation, review, legality.checklist(consultation))
        for consultation, review in legality.submitted_for_review()
    ]
    return render_template("consultation_manage/review/index.html", drafts=drafts, labels=review_labels)


@bp.route("/<int:consultation_id>", endpoint="review_item")
def item(consultation_id: int) -> str:
    consultation = _load(consultation_id)
    stats = feedback.statistics(consultation)
    return render_template(
        "consultation_manage/review/item.html",
        consultation=consultation,
        review=legality.review_of(consultation),
        checklist=legality.checklist(consultation),
        stats=stats,
        slow_pdf=stats.valid > SLOW_PDF_ROWS,
        history=legality.history(consultation),
        return_form=ReturnForm(formdata=None),
        pass_form=PassForm(formdata=None),
        labels=review_labels,
    )


def _step(consultation: Consultation, action: Any, success: str) -> Any:
    try:
        action(consultation)
    except WorkflowError as error:
        db.session.rollback()
        for code in error.problems:
            flash(review_labels.problem_message(code), "error")
        return _to_item(_load(consultation.id))
    db.session.commit()
    flash(success, "success")
    return _to_item(consultation)


@bp.route("/<int:consultation_id>/received", methods=["POST"])
def received(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    ConfirmForm().validate_on_submit()
    user = current_user._get_current_object()
    return _step(consultation, lambda c: legality.mark_received(c, user), _("Marked as received."))


@bp.route("/<int:consultation_id>/return", methods=["POST"])
def return_packet(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _to_item(consultation)
    user = current_user._get_current_object()
    return _step(
        consultation,
        lambda c: legality.return_to_department(c, user, form.reasons.data or ""),
        _("Returned to the department with your reasons."),
    )


@bp.route("/<int:consultation_id>/pass", methods=["POST"])
def pass_review(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    form = PassForm()
    if not form.validate_on_submit():
        return _to_item(consultation)
    user = current_user._get_current_object()
    return _step(consultation, lambda c: legality.mark_passed(c, user, form.note.data or ""), _("Marked as passed."))
