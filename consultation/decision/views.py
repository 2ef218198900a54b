"""Staff pages after the decision: the overview (the decided document's steps are in document_views.py), write the
解读, have a second person review it, and revise it once published (a new version reviewed the same way)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import FileStorage

from consultation import blueprints
from consultation.decision import chain, deadline, documents, figures, labels, revisions, services
from consultation.decision.forms import DecidedDocumentForm, ImageForm, InterpretationForm, ReviewForm
from consultation.decision.models import Interpretation, InterpretationStatus, PreparedDocument
from consultation.drafting import uploads
from consultation.drafting.services import WorkflowError
from consultation.handling.models import ConsultationFeedback
from consultation.models import Consultation
from consultation.permissions import can_edit, can_view, require
from core.extensions import db
from core.i18n import local_datetime
from core.models import Role, User
from core.routing import Routes

bp = Routes(blueprints.manage, "/consultations", Role.EDITOR, Role.APPROVER, Role.ADMIN)


def may_prepare_document(user: Any, consultation: Consultation) -> bool:
    """The drafting department's editors and approvers, as for recording the outcome (an approver does not
    approve what they prepared)."""
    return user.has_role(Role.EDITOR, consultation.department_id) or user.has_role(
        Role.APPROVER, consultation.department_id
    )


def may_review(user: Any, consultation: Consultation, interpretation: Interpretation | None) -> bool:
    """Approvers of the department who neither wrote nor submitted the 解读 (the service checks it again)."""
    return (
        interpretation is not None
        and user.has_role(Role.APPROVER, consultation.department_id)
        and not services.is_author(user, interpretation)
    )


def load(consultation_id: int, allowed: Any = can_view) -> Consultation:
    """The consultation, 404 if unknown, 403 if this user may not do this with it."""
    consultation = db.get_or_404(Consultation, consultation_id)
    require(allowed(current_user, consultation))
    return consultation


def load_interpretation(consultation: Consultation) -> Interpretation:
    interpretation = services.interpretation_of(consultation)
    if interpretation is None:
        abort(404)
    return interpretation


def flash_problems(error: WorkflowError, consultation: Consultation | None = None) -> None:
    for code in error.problems:
        started = _already_started(consultation, code) if consultation is not None else None
        flash(started or labels.problem_message(code), "error")


def _already_started(consultation: Consultation, code: str) -> Markup | None:
    """When another editor started the same version first (at the same moment, or while this page was open):
    who and when, with a link to it, instead of a second one."""
    if code in ("revision_in_progress", "interpretation_started"):
        record: Interpretation | PreparedDocument | None = services.interpretation_of(consultation)
        editable = record is not None and record.status.is_editable
        url = url_for(".edit_interpretation" if editable else ".review_interpretation", consultation_id=consultation.id)
    elif code == "document_started":
        record = documents.prepared_of(consultation)
        review = record is not None and record.status is InterpretationStatus.IN_REVIEW
        url = url_for(".review_document" if review else ".overview", consultation_id=consultation.id)
        url += "" if review else "#decided-document"
    else:
        return None
    if record is None or record.status is InterpretationStatus.PUBLISHED:
        return None  # published meanwhile: the plain message says what to do
    author = db.session.get(User, record.created_by_id) if record.created_by_id else None
    who = {"name": author.label if author else _("Another editor"), "time": local_datetime(record.created_at),
           "n": record.version}  # fmt: skip
    if isinstance(record, PreparedDocument) and record.is_correction:
        message = _("%(name)s already started a correction of the decided document (version %(n)d) at %(time)s.", **who)
    elif isinstance(record, PreparedDocument):
        message = _("%(name)s already started preparing the decided document at %(time)s.", **who)
    elif record.is_revision:
        message = _("%(name)s already started a revision of the interpretation (version %(n)d) at %(time)s.", **who)
    else:
        message = _("%(name)s already started the interpretation at %(time)s.", **who)
    return Markup('{} <a href="{}" class="started-link">{}</a>').format(message, url, _("Open it"))


def to_overview(consultation: Consultation) -> Any:
    return redirect(url_for("consultation_manage.overview", consultation_id=consultation.id), code=303)


@bp.route("/<int:consultation_id>/decision")
def overview(consultation_id: int, document_form: DecidedDocumentForm | None = None) -> Any:
    consultation = load(consultation_id)
    conclusion = services.decided_conclusion(consultation)
    if conclusion is None:
        abort(404)
    document = services.document_of(consultation)
    prepared = documents.prepared_of(consultation)
    if document_form is None:
        document_form = (
            DecidedDocumentForm(obj=prepared, editing=prepared.id)
            if prepared
            else DecidedDocumentForm(url=conclusion.document_url)
        )
    interpretation = services.interpretation_of(consultation)
    published = chain.published_interpretation(consultation.id)
    due = deadline.due_date(conclusion)
    return render_template(
        "consultation_manage/decision/manage.html",
        consultation=consultation,
        conclusion=conclusion,
        document=document,
        prepared=prepared,
        may_review_document=prepared is not None
        and current_user.has_role(Role.APPROVER, consultation.department_id)
        and not documents.is_author(current_user, prepared),
        interpretation=interpretation,
        published=published,
        due=due,
        overdue=deadline.is_overdue(due, document, published),
        provisional_years=deadline.provisional_years(conclusion, due),
        document_form=document_form,
        may_prepare=may_prepare_document(current_user, consultation),
        may_edit=can_edit(current_user, consultation),
        may_review=may_review(current_user, consultation, interpretation),
        steps=chain.public_steps(consultation),
        labels=labels,
    ), 400 if document_form.errors else 200


@bp.route("/<int:consultation_id>/interpretation", methods=["GET", "POST"])
def edit_interpretation(consultation_id: int) -> Any:
    consultation = load(consultation_id, can_edit)
    if services.decided_conclusion(consultation) is None:
        abort(404)
    interpretation = services.interpretation_of(consultation)
    form = InterpretationForm(obj=interpretation)
    if request.method == "GET" and interpretation is None:
        form.title.data = _("Interpretation of %(title)s", title=consultation.title.replace("（征求意见稿）", ""))
        feedback = db.session.get(ConsultationFeedback, consultation.id)
        form.changes.data = feedback.main_changes if feedback else ""  # a start, from the published feedback
    if form.validate_on_submit():
        fields = {name: (form[name].data or "").strip() for name in ("title", *services.SECTIONS, "revision_note")}
        try:
            services.save_interpretation(consultation, current_user, fields)
        except WorkflowError as error:
            db.session.rollback()
            flash_problems(error, consultation)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(
                url_for("consultation_manage.edit_interpretation", consultation_id=consultation.id), code=303
            )
    return render_template(
        "consultation_manage/decision/edit.html",
        consultation=consultation,
        interpretation=interpretation,
        form=form,
        image_form=ImageForm(),
        problems=[labels.problem_message(code) for code in services.submission_problems(interpretation)]
        if interpretation
        else [],
        labels=labels,
        charts={figure.id: figures.chart(figure) for figure in interpretation.figures} if interpretation else {},
    ), 400 if form.errors else 200


@bp.route("/<int:consultation_id>/interpretation/submit", methods=["POST"])
def submit_interpretation(consultation_id: int) -> Any:
    consultation = load(consultation_id, can_edit)
    interpretation = load_interpretation(consultation)
    try:
        services.submit(interpretation, current_user)
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error)
        return redirect(url_for("consultation_manage.edit_interpretation", consultation_id=consultation.id), code=303)
    db.session.commit()
    flash(_("Submitted: an approver of your department who did not write it reviews it before it is published."),
          "success")  # fmt: skip
    return to_overview(consultation)


@bp.route("/<int:consultation_id>/interpretation/review", methods=["GET", "POST"])
def review_interpretation(consultation_id: int) -> Any:
    consultation = load(consultation_id)
    interpretation = load_interpretation(consultation)
    form = ReviewForm()
    if request.method == "POST":
        require(current_user.has_role(Role.APPROVER, consultation.department_id))
        if form.validate_on_submit():
            return _decide(consultation, interpretation, form)
    return render_template(
        "consultation_manage/decision/review.html",
        consultation=consultation,
        interpretation=interpretation,
        document=services.document_of(consultation),
        prepared=documents.prepared_of(consultation),
        form=form,
        may_review=may_review(current_user, consultation, interpretation)
        and interpretation.status is InterpretationStatus.IN_REVIEW,
        labels=labels,
        charts={figure.id: figures.chart(figure) for figure in interpretation.figures},
        masked=_masked_parts(consultation, interpretation),
        changed=_changed_parts(interpretation),
    ), 400 if request.method == "POST" else 200


def _changed_parts(interpretation: Interpretation) -> list[str] | None:
    """For a revision under review: the parts it changes from the published version, named for the reviewer."""
    if not interpretation.is_revision or interpretation.status is InterpretationStatus.PUBLISHED:
        return None
    published = chain.published_interpretation(interpretation.consultation_id)
    return [str(labels.CHANGED_PART_LABELS[name]) for name in revisions.changed_parts(interpretation, published)]


def _masked_parts(consultation: Consultation, interpretation: Interpretation) -> list[str]:
    """The parts in which the public page masks what looks like personal data, named for the reviewer."""
    texts = {name: getattr(interpretation, name) for name in services.SECTIONS}
    return [str(labels.SECTION_LABELS[name]) for name in chain.masked_parts(texts, chain.public_contacts(consultation))]


def _decide(consultation: Consultation, interpretation: Interpretation, form: ReviewForm) -> Any:
    approving = request.form.get("decision") == "approve"
    try:
        if approving:
            services.approve(interpretation, current_user, form.note.data or "")
        else:
            services.return_to_author(interpretation, current_user, form.reason.data or "")
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error)
        return redirect(url_for("consultation_manage.review_interpretation", consultation_id=consultation.id), code=303)
    db.session.commit()
    flash(_("Published: the interpretation is on its public page and linked with its policy.") if approving
          else _("Returned to the editor with your reasons."), "success")  # fmt: skip
    return to_overview(consultation)


@bp.route("/<int:consultation_id>/interpretation/revise", methods=["POST"])
def revise_interpretation(consultation_id: int) -> Any:
    """Start a new version from the published 解读; the public keeps reading the published one until it is approved."""
    consultation = load(consultation_id, can_edit)
    try:
        services.start_revision(consultation, current_user)
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error, consultation)
        return to_overview(consultation)
    db.session.commit()
    flash(_("A revision is started from the published interpretation, which stays public until the revision is "
            "approved."), "success")  # fmt: skip
    return redirect(url_for(".edit_interpretation", consultation_id=consultation.id), code=303)


@bp.route("/<int:consultation_id>/interpretation/discard", methods=["POST"])
def discard_revision(consultation_id: int) -> Any:
    consultation = load(consultation_id, can_edit)
    try:
        services.discard_revision(load_interpretation(consultation), current_user)
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error)
    else:
        db.session.commit()
        flash(_("The revision is discarded; the published interpretation is unchanged."), "success")
    return to_overview(consultation)


def stored_image(form: ImageForm) -> uploads.StoredFile | None:
    """The picture of an image form stored, or None with the reason set on the field."""
    file = form.image.data
    if not isinstance(file, FileStorage) or not file.filename:
        form.image.errors = [*form.image.errors, _("Choose a picture.")]
        return None
    stored = uploads.store_form_file(form.image)
    return stored or None
