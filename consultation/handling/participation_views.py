"""Staff pages for what the 说明 reports besides the comments: the statutory procedures performed, the targeted
consultations and meetings, and the addendum that answers late letters. Editors of the department record them;
approvers and reviewers of the department see them."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consultation import blueprints, labels
from consultation.drafting.services import WorkflowError
from consultation.handling import addenda, procedures
from consultation.handling.forms import AddendumForm, ParticipationAddForm, ProcedureForm
from consultation.handling.participation import (
    ParticipationForm,
    PartyKind,
    Procedure,
    ProcedureState,
    TargetedParticipation,
)
from consultation.handling.participation_labels import (
    FORM_LABELS,
    PARTY_LABELS,
    PROCEDURE_LABELS,
    PROCEDURE_STATE_LABELS,
)
from consultation.models import Channel, Comment, Consultation, Validity
from consultation.permissions import can_edit, can_view, require
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Role
from core.routing import Routes

bp = Routes(blueprints.manage, "/consultations", Role.EDITOR, Role.APPROVER, Role.ADMIN)


def _load(consultation_id: int, *, edit: bool) -> Consultation:
    consultation = db.get_or_404(Consultation, consultation_id)
    require(can_edit(current_user, consultation) if edit else can_view(current_user, consultation))
    return consultation


def _back(consultation: Consultation) -> Any:
    return redirect(url_for("consultation_manage.participation", consultation_id=consultation.id))


def _flash(error: WorkflowError) -> None:
    for code in error.problems:
        flash(labels.problem_message(code), "error")


def _calls(consultation: Consultation) -> list[Comment]:
    return list(
        db.session.scalars(
            db.select(Comment)
            .where(Comment.consultation_id == consultation.id, Comment.channel == Channel.PHONE)
            .order_by(Comment.received_at, Comment.id)
        )
    )


@bp.route("/<int:consultation_id>/participation")
def participation(consultation_id: int) -> Any:
    consultation = _load(consultation_id, edit=False)
    return _render(consultation, ProcedureForm(formdata=None), ParticipationAddForm(formdata=None))


def _render(consultation: Consultation, procedure_form: ProcedureForm, add_form: ParticipationAddForm) -> Any:
    status = 400 if procedure_form.errors or add_form.errors else 200
    lines = procedures.procedure_lines(consultation)
    return render_template(
        "consultation_manage/participation.html",
        consultation=consultation,
        lines=lines,
        rows=procedures.participations(consultation),
        hearing_flags=procedures.hearing_flags(consultation, lines),
        problem_message=labels.problem_message,
        calls=_calls(consultation),
        valid=Validity.VALID,
        procedure_form=procedure_form,
        add_form=add_form,
        confirm=ConfirmForm(),
        may_edit=can_edit(current_user, consultation),
        procedure_labels=PROCEDURE_LABELS,
        state_labels=PROCEDURE_STATE_LABELS,
        form_labels=FORM_LABELS,
        party_labels=PARTY_LABELS,
    ), status


@bp.route("/<int:consultation_id>/procedures", methods=["POST"])
def record_procedure(consultation_id: int) -> Any:
    consultation = _load(consultation_id, edit=True)
    form = ProcedureForm()
    if not form.validate_on_submit():
        return _render(consultation, form, ParticipationAddForm(formdata=None))
    try:
        procedures.record_procedure(
            consultation, Procedure(form.procedure.data), ProcedureState(form.state.data), current_user,
            done_on=form.done_on.data, note=form.note.data or "", reference=form.reference.data or "",
            announced_on=form.announced_on.data,
        )  # fmt: skip
    except WorkflowError as error:
        db.session.rollback()
        form.state.errors = [*form.state.errors, *(labels.problem_message(code) for code in error.problems)]
        return _render(_load(consultation_id, edit=True), form, ParticipationAddForm(formdata=None))
    db.session.commit()
    flash(_("The procedure is recorded."), "success")
    return _back(consultation)


@bp.route("/<int:consultation_id>/procedures/<code>/clear", methods=["POST"])
def clear_procedure(consultation_id: int, code: str) -> Any:
    consultation = _load(consultation_id, edit=True)
    if ConfirmForm().validate_on_submit() and code in {item.value for item in Procedure}:
        try:
            procedures.clear_procedure(consultation, Procedure(code), current_user)
        except WorkflowError as error:
            db.session.rollback()
            _flash(error)
        else:
            db.session.commit()
    return _back(consultation)


@bp.route("/<int:consultation_id>/participation", methods=["POST"])
def add_participation(consultation_id: int) -> Any:
    consultation = _load(consultation_id, edit=True)
    form = ParticipationAddForm()
    if not form.validate_on_submit():
        return _render(consultation, ProcedureForm(formdata=None), form)
    data = procedures.ParticipationInput(
        form=ParticipationForm(form.form.data), party_kind=PartyKind(form.party_kind.data),
        parties=form.parties.data or "", held_on=form.held_on.data, place=form.place.data or "",
        people=form.people.data, opinions=form.opinions.data or "", announced_on=form.announced_on.data,
    )  # fmt: skip
    try:
        procedures.add_participation(consultation, data, current_user)
    except WorkflowError as error:
        db.session.rollback()
        form.form.errors = [*form.form.errors, *(labels.problem_message(code) for code in error.problems)]
        return _render(_load(consultation_id, edit=True), ProcedureForm(formdata=None), form)
    db.session.commit()
    flash(_("The targeted consultation is recorded."), "success")
    return _back(consultation)


@bp.route("/<int:consultation_id>/participation/<int:row_id>/delete", methods=["POST"])
def delete_participation(consultation_id: int, row_id: int) -> Any:
    consultation = _load(consultation_id, edit=True)
    row = db.get_or_404(TargetedParticipation, row_id)
    if ConfirmForm().validate_on_submit():
        try:
            procedures.delete_participation(consultation, row, current_user)
        except WorkflowError as error:
            db.session.rollback()
            _flash(error)
        else:
            db.session.commit()
    return _back(consultation)


@bp.route("/<int:consultation_id>/feedback/addendum", methods=["POST"])
def publish_addendum(consultation_id: int) -> Any:
    """Answer the late letters publicly: an addendum to the published feedback."""
    consultation = _load(consultation_id, edit=True)
    form = AddendumForm()
    if form.validate_on_submit():
        try:
            addenda.publish_addendum(consultation, form.note.data or "", current_user)
        except WorkflowError as error:
            db.session.rollback()
            _flash(error)
        else:
            db.session.commit()
            flash(_("The addendum to the feedback is published."), "success")
            return redirect(url_for("consultation.feedback", consultation_id=consultation.id))
    return redirect(url_for("consultation_manage.prepare_feedback", consultation_id=consultation.id))
