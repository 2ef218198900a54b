"""Staff pages of the decided document (same blueprint as views.py): an editor prepares it or a correction and
submits it, an approver of the department who did not prepare it reviews it (the file too) and approves or
returns it; the public reads the published version meanwhile."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consultation.decision import documents, labels, services
from consultation.decision.forms import DecidedDocumentForm, ReviewForm
from consultation.decision.models import InterpretationStatus, PreparedDocument
from consultation.decision.views import bp, flash_problems, load, may_prepare_document, overview, to_overview
from consultation.drafting import uploads
from consultation.drafting.services import WorkflowError
from consultation.models import Consultation
from consultation.permissions import require
from core.extensions import db
from core.models import Role

# Where the decided document's form shows each refusal (the title when not named here).
_DOCUMENT_FIELDS = {
    "document_source_missing": "file",
    "document_unchanged": "file",
    "revision_note_missing": "revision_note",
}
# Refusals that are about the document as a whole, not one field: said above the page.
_NOT_A_FIELD = {"document_started", "document_changed_meanwhile", "document_not_editable", "not_decided"}


def _prepared_or_404(consultation: Consultation) -> PreparedDocument:
    return documents.prepared_of(consultation) or abort(404)


def _to_document(consultation: Consultation) -> Any:
    return redirect(url_for(".overview", consultation_id=consultation.id, _anchor="decided-document"), code=303)


@bp.route("/<int:consultation_id>/decision/document", methods=["POST"])
def prepare_document(consultation_id: int) -> Any:
    """Save the document (or the correction) being prepared, and with "submit" send it to the approvers."""
    consultation = load(consultation_id, may_prepare_document)
    form = DecidedDocumentForm()
    if not form.validate_on_submit():
        return overview(consultation_id, form)
    stored = uploads.store_form_file(form.file)
    if stored is False:
        return overview(consultation_id, form)
    given = documents.DocumentInput(form.title.data or "", form.number.data or "", form.url.data or "", stored,
                                    form.revision_note.data or "")  # fmt: skip
    editing = int(form.editing.data) if (form.editing.data or "").isdigit() else None
    submitting = request.form.get("action") == "submit"
    try:
        prepared = documents.prepare(consultation, current_user, given, editing)
        if submitting:
            documents.submit(prepared, current_user)
    except WorkflowError as error:
        db.session.rollback()
        if stored:
            uploads.remove(stored.stored_name)
        if set(error.problems) & _NOT_A_FIELD:
            flash_problems(error, consultation)
            return _to_document(consultation)
        for code in error.problems:  # each reason next to the field it is about
            field = _DOCUMENT_FIELDS.get(code, "title")
            form[field].errors = [*form[field].errors, labels.problem_message(code)]
        return overview(consultation_id, form)
    db.session.commit()
    flash(_("Submitted: an approver of your department who did not prepare it reviews it before it is published.")
          if submitting else _("Saved. Submit it for review when it is ready: it is published once approved."),
          "success")  # fmt: skip
    return _to_document(consultation)


@bp.route("/<int:consultation_id>/decision/document/correct", methods=["POST"])
def correct_document(consultation_id: int) -> Any:
    """Start a correction of the published document; the public reads the published one until it is approved."""
    consultation = load(consultation_id, may_prepare_document)
    try:
        documents.start_correction(consultation, current_user)
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error, consultation)
        return _to_document(consultation)
    db.session.commit()
    flash(_("A correction is started from the published document, which stays public until the correction is "
            "approved."), "success")  # fmt: skip
    return _to_document(consultation)


@bp.route("/<int:consultation_id>/decision/document/discard", methods=["POST"])
def discard_document(consultation_id: int) -> Any:
    consultation = load(consultation_id, may_prepare_document)
    try:
        documents.discard(_prepared_or_404(consultation), current_user)
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error, consultation)
    else:
        db.session.commit()
        flash(_("Discarded; the published document, if any, is unchanged."), "success")
    return _to_document(consultation)


@bp.route("/<int:consultation_id>/decision/document/review", methods=["GET", "POST"])
def review_document(consultation_id: int) -> Any:
    """What the editor prepared, beside the published version for a correction; approvers approve or return it."""
    consultation = load(consultation_id)
    prepared = _prepared_or_404(consultation)
    form = ReviewForm()
    if request.method == "POST":
        require(current_user.has_role(Role.APPROVER, consultation.department_id))
        if form.validate_on_submit():
            return _decide(consultation, prepared, form)
    published = services.document_of(consultation)
    return render_template(
        "consultation_manage/decision/document_review.html",
        consultation=consultation,
        prepared=prepared,
        published=published,
        changed=[str(labels.DOCUMENT_FIELD_LABELS[name]) for name in documents.changed_fields(prepared)],
        problems=[labels.problem_message(code) for code in documents.submission_problems(prepared)],
        form=form,
        may_review=prepared.status is InterpretationStatus.IN_REVIEW
        and current_user.has_role(Role.APPROVER, consultation.department_id)
        and not documents.is_author(current_user, prepared),
        labels=labels,
    ), 400 if request.method == "POST" else 200


def _decide(consultation: Consultation, prepared: PreparedDocument, form: ReviewForm) -> Any:
    approving = request.form.get("decision") == "approve"
    try:
        if approving:
            documents.approve(prepared, current_user, form.note.data or "")
        else:
            documents.return_to_author(prepared, current_user, form.reason.data or "")
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error, consultation)
        return redirect(url_for(".review_document", consultation_id=consultation.id), code=303)
    db.session.commit()
    flash(_("Published: the decided document is on its public page, linked with the draft and the feedback.")
          if approving else _("Returned to the editor with your reasons."), "success")  # fmt: skip
    return to_overview(consultation)


@bp.route("/<int:consultation_id>/decision/document/prepared/file")
def prepared_document_file(consultation_id: int) -> Any:
    """The file of the version being prepared or reviewed, for the department's staff (checked by content when
    it was uploaded)."""
    prepared = _prepared_or_404(load(consultation_id))
    if not prepared.stored_name:
        abort(404)
    return send_file(uploads.path_of(prepared.stored_name), mimetype=prepared.content_type, as_attachment=True,
                     download_name=prepared.filename)  # fmt: skip
