"""Staff pages: prepare a consultation, import and correct its draft, review it, extend it, record comments."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice

from consultation import blueprints, labels
from consultation.comments import commenting
from consultation.drafting import notice_archive, periods, services, uploads
from consultation.forms import (
    AttachmentForm,
    ConsultationForm,
    ExtendForm,
    OfflineCommentForm,
    ReviewForm,
    local_noon,
    utc_to_local,
)
from consultation.legality.gate import legality_overview
from consultation.models import (
    Channel,
    Comment,
    Consultation,
    ConsultationAttachment,
)
from consultation.permissions import can_edit, can_review, can_view, require
from core import audit
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Department, Role
from core.routing import Routes

bp = Routes(blueprints.manage, "/consultations", Role.EDITOR, Role.APPROVER, Role.ADMIN)


def _load(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def _flash_problems(error: services.WorkflowError) -> None:
    for code in error.problems:
        flash(labels.problem_message(code), "error")


def _to_detail(consultation: Consultation) -> Any:
    return redirect(url_for("consultation_manage.detail", consultation_id=consultation.id))


@bp.route("/")
def index() -> str:
    department_ids = current_user.department_ids(Role.EDITOR) | current_user.department_ids(Role.APPROVER)
    if current_user.has_role(Role.ADMIN):
        department_ids |= set(db.session.scalars(db.select(Department.id)))
    return render_template(
        "consultation_manage/index.html",
        consultations=services.for_departments(department_ids),
        may_create=bool(current_user.department_ids(Role.EDITOR)),
    )


def _editor_departments() -> list[Department]:
    ids = current_user.department_ids(Role.EDITOR)
    return list(db.session.scalars(db.select(Department).where(Department.id.in_(ids)).order_by(Department.name)))


def _render_form(form: ConsultationForm, consultation: Consultation | None, problems: list[str] = ()) -> Any:
    doc_type = periods.DOCUMENT_TYPES.get(form.doc_type.data or "")
    check = services.check_period(consultation) if consultation is not None else None
    return render_template(
        "consultation_manage/form.html",
        form=form,
        consultation=consultation,
        doc_type=doc_type,
        check=check,
        problems=[labels.problem_message(code) for code in problems],
    )


@bp.route("/new", methods=["GET", "POST"])
def create() -> Any:
    departments = _editor_departments()
    require(bool(departments))
    form = ConsultationForm()
    form.department_id.choices = [SelectChoice(d.id, d.name) for d in departments]
    if request.method == "GET" and len(departments) == 1:
        form.contact_phone.data = departments[0].office_phone
        form.contact_email.data = departments[0].email
        form.contact_address.data = departments[0].address
    if form.validate_on_submit():
        department = db.session.get(Department, form.department_id.data)
        require(department is not None and current_user.has_role(Role.EDITOR, department.id))
        try:
            consultation = services.create_consultation(department, current_user, form.model_fields())
        except services.WorkflowError as error:
            db.session.rollback()
            return _render_form(form, None, error.problems), 400
        db.session.commit()
        flash(_("The consultation was saved as a draft. Now import the draft text."), "success")
        return redirect(url_for("consultation_manage.import_draft", consultation_id=consultation.id))
    return _render_form(form, None), 400 if form.errors else 200


@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
def edit(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    require(can_edit(current_user, consultation))
    form = ConsultationForm(obj=consultation if request.method == "GET" else None)
    form.department_id.choices = [SelectChoice(consultation.department_id, consultation.department.name)]
    if request.method == "GET":
        form.department_id.data = consultation.department_id
        form.start_at.data = utc_to_local(consultation.start_at)
        end_local = utc_to_local(consultation.end_at)
        form.end_date.data = end_local.date() if end_local else None
        form.comment_display.data = consultation.comment_display.value
    if form.validate_on_submit():
        try:
            services.update_consultation(consultation, current_user, form.model_fields())
        except services.WorkflowError as error:
            db.session.rollback()
            return _render_form(form, _load(consultation_id), error.problems), 400
        db.session.commit()
        flash(_("Saved."), "success")
        return _to_detail(consultation)
    return _render_form(form, consultation), 400 if form.errors else 200


@bp.route("/<int:consultation_id>")
def detail(consultation_id: int) -> str:
    consultation = _load(consultation_id)
    require(can_view(current_user, consultation))
    comments = db.session.scalars(
        db.select(Comment).where(Comment.consultation_id == consultation.id).order_by(Comment.received_at.desc())
    ).all()
    return render_template(
        "consultation_manage/detail.html",
        consultation=consultation,
        check=services.check_period(consultation),
        problems=[labels.problem_message(code) for code in services.publication_problems(consultation)],
        may_edit=can_edit(current_user, consultation),
        may_review=can_review(current_user, consultation),
        phase=consultation.phase(),
        comments=comments,
        units={row.key: row for row in consultation.units},
        attachment_form=AttachmentForm(),
        extend_form=ExtendForm(),
        legality=legality_overview(consultation),
    )


def _transition(consultation_id: int, allowed: Any, action: Any, success: str) -> Any:
    """Shared shape of the one-button POST steps: load, check, run the service, commit once."""
    consultation = _load(consultation_id)
    require(allowed(current_user, consultation))
    ConfirmForm().validate_on_submit()
    try:
        result = action(consultation)
    except services.WorkflowError as error:
        db.session.rollback()
        _flash_problems(error)
        return _to_detail(_load(consultation_id))
    db.session.commit()
    flash(success, "success")
    return _to_detail(result if isinstance(result, Consultation) else consultation)


@bp.route("/<int:consultation_id>/submit", methods=["POST"])
def submit(consultation_id: int) -> Any:
    return _transition(
        consultation_id,
        can_edit,
        lambda c: services.submit_for_review(c, current_user),
        _("Submitted for the secrecy and publication review."),
    )


@bp.route("/<int:consultation_id>/new-round", methods=["POST"])
def new_round(consultation_id: int) -> Any:
    return _transition(
        consultation_id,
        can_edit,
        lambda c: services.start_new_round(c, current_user),
        _("A new round was created as a draft with the previous text. Import the revised draft."),
    )


@bp.route("/<int:consultation_id>/review", methods=["GET", "POST"])
def review(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    # Only approvers of the department; the service refuses the person who prepared or submitted it.
    require(current_user.has_role(Role.APPROVER, consultation.department_id))
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            if form.decision.data == "approve":
                services.approve(consultation, current_user, form.result, form.secrecy_note.data or "")
                # The notice as it is published, kept for the legality packet ("as it was published").
                notice_archive.capture(consultation, current_user)
            else:
                services.return_to_editor(
                    consultation, current_user, form.return_reason.data, form.result, form.secrecy_note.data or ""
                )
        except services.WorkflowError as error:
            db.session.rollback()
            _flash_problems(error)
            consultation = _load(consultation_id)
        else:
            db.session.commit()
            flash(_("Approved and published.") if form.decision.data == "approve" else _("Returned."), "success")
            return _to_detail(consultation)
    return render_template(
        "consultation_manage/review.html",
        consultation=consultation,
        form=form,
        check=services.check_period(consultation),
        problems=[labels.problem_message(code) for code in services.publication_problems(consultation)],
    ), 400 if request.method == "POST" else 200


@bp.route("/<int:consultation_id>/extend", methods=["POST"])
def extend(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    require(can_edit(current_user, consultation))
    form = ExtendForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
        return _to_detail(consultation)
    return _transition(
        consultation_id,
        can_edit,
        lambda c: services.extend(c, current_user, periods.end_of_day(form.new_end_date.data), form.reason.data),
        _("The period was extended; the new end and the reason are shown on the notice."),
    )


@bp.route("/<int:consultation_id>/attachments", methods=["POST"])
def add_attachment(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    require(can_edit(current_user, consultation))
    form = AttachmentForm()
    file = form.file.data if form.validate_on_submit() else None
    if not isinstance(file, FileStorage) or not file.filename:
        flash(_("Choose a file."), "error")
        return _to_detail(consultation)
    try:
        stored = uploads.store(file.read(), file.filename)
    except uploads.UploadError as error:
        flash(uploads.refusal_message(error.code), "error")
        return _to_detail(consultation)
    return _transition(
        consultation_id, can_edit, lambda c: services.add_attachment(c, current_user, stored), _("File added.")
    )


@bp.route("/<int:consultation_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
def remove_attachment(consultation_id: int, attachment_id: int) -> Any:
    item = db.session.get(ConsultationAttachment, attachment_id)
    if item is None or item.consultation_id != consultation_id:
        abort(404)
    return _transition(
        consultation_id, can_edit, lambda c: services.remove_attachment(item, current_user), _("File removed.")
    )


@bp.route("/<int:consultation_id>/comments/new", methods=["GET", "POST"])
def record_comment(consultation_id: int) -> Any:
    """Type in a comment that came by letter, e-mail or at a meeting."""
    consultation = _load(consultation_id)
    require(can_edit(current_user, consultation))
    form = OfflineCommentForm()
    form.set_units(consultation.unit_choices())
    if form.validate_on_submit():
        stored = uploads.store_form_file(form.attachment)
        if stored is not False:
            data = form.comment_input(channel=Channel(form.channel.data), received_at=local_noon(form.received_on.data))
            try:
                saved = commenting.record_offline_comment(consultation, data, current_user, stored or None)
            except services.WorkflowError as error:
                db.session.rollback()
                _flash_problems(error)
            else:
                db.session.commit()
                flash(_("Comment recorded. Receipt number: %(n)s", n=saved.receipt_number), "success")
                return _to_detail(consultation)
    return render_template("consultation_manage/record_comment.html", consultation=consultation, form=form), (
        400 if form.errors else 200
    )


@bp.route("/comments/<int:comment_id>/attachment")
def comment_attachment(comment_id: int) -> Any:
    """A resident's attachment, for the staff of the consultation's department only (never public)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or not comment.attachment_stored_name:
        abort(404)
    require(can_view(current_user, comment.consultation))
    audit.record("consultation.comment_attachment_download", comment, detail={"file": comment.attachment_name})
    db.session.commit()
    return send_file(
        uploads.path_of(comment.attachment_stored_name),
        mimetype=comment.attachment_type,
        as_attachment=True,
        download_name=comment.attachment_name,
    )
