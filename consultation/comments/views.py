"""The public pages: lists of consultations, the notice with the draft, the comment form and receipts."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlalchemy.exc import DBAPIError

from consultation import blueprints, columns, labels
from consultation.comments import commenting, intake
from consultation.drafting import notice, services, uploads
from consultation.forms import CommentForm, ReceiptLookupForm
from consultation.handling import addenda, feedback
from consultation.handling.models import ConsultationFeedback
from consultation.models import (
    Comment,
    CommentDisplay,
    Consultation,
    ConsultationAttachment,
)
from core import captcha, database, integrity, metrics, outbox, page_cache
from core.db import utcnow
from core.extensions import db, limiter
from core.pagination import paginate
from core.routing import Routes

bp = Routes(blueprints.public)
FEEDBACK_ROWS_PER_PAGE = 100
PUBLIC_COMMENTS_PER_PAGE = 100


def _comment_rate_limit() -> str:
    return str(current_app.config["CONSULTATION_COMMENT_RATE_LIMIT"])


def _published_or_404(consultation_id: int) -> Consultation:
    return services.published_consultation(consultation_id) or abort(404)


@bp.route("/")
def index() -> str:
    return page_cache.cached_page("consultation-index", _render_index)


def _render_index() -> str:
    filters = columns.current_filters()  # department, type and year, as every column has them
    now = utcnow()
    lists = {phase: columns.listed(phase, filters, now) for phase in ("open", "upcoming", "closed")}
    return render_template("consultation/index.html", lists=lists, now=now, filters=filters, **columns.filter_choices())


@bp.route("/feedback")
def feedback_index() -> str:
    """Consultations whose feedback is published, most recent first."""
    return page_cache.cached_page("feedback-index", _render_feedback_index)


def _render_feedback_index() -> str:
    filters = columns.current_filters()
    published = feedback.with_published_feedback(filters.department_id)
    shown = set(columns.in_year([c for c, _record in published], filters.year))
    published = [(c, record) for c, record in published if c in shown and filters.doc_type in (None, c.doc_type)]
    return render_template(
        "consultation/feedback_index.html",
        published=published,
        now=utcnow(),
        filters=filters,
        **columns.filter_choices(),
    )


@bp.route("/<int:consultation_id>/feedback", endpoint="feedback")
def feedback_page(consultation_id: int) -> str:
    """The published feedback: counts that add up, concentrated opinions, main changes, the table of answers."""
    return page_cache.cached_page("feedback", lambda: _render_feedback(consultation_id))


def _render_feedback(consultation_id: int) -> str:
    consultation = _published_or_404(consultation_id)
    record = db.session.get(ConsultationFeedback, consultation.id)
    if consultation.status not in feedback.PUBLISHED_STATUSES or record is None or record.published_at is None:
        abort(404)
    integrity.require("consultation.feedback", consultation.id)  # the 503 page if not as published
    page = paginate(feedback.table_query(consultation), per_page=FEEDBACK_ROWS_PER_PAGE)
    return render_template(
        "consultation/feedback.html",
        consultation=consultation,
        record=record,
        stats=feedback.statistics(consultation, as_published=True),
        opinions=feedback.concentrated_opinions(consultation, as_published=True),
        page=page,
        rows=feedback.table_rows(consultation, page.items),
        first_number=page.first or 1,
        addenda=addenda.published_addenda(consultation),
    )


@bp.route("/<int:consultation_id>")
def detail(consultation_id: int) -> str:
    return page_cache.cached_page("consultation", lambda: _render_detail(consultation_id), counts_changes=True)


def _render_detail(consultation_id: int) -> str:
    consultation = _published_or_404(consultation_id)
    return render_template("consultation/detail.html", **notice.notice_context(consultation, utcnow()))


@bp.route("/<int:consultation_id>/comments")
def public_comments(consultation_id: int) -> str:
    """Every published comment, a page at a time, in the order received."""
    return page_cache.cached_page("public-comments", lambda: _render_public_comments(consultation_id))


def _render_public_comments(consultation_id: int) -> str:
    consultation = _published_or_404(consultation_id)
    if consultation.comment_display is not CommentDisplay.APPROVED_MASKED:
        abort(404)
    page = paginate(notice.public_comments_query(consultation), per_page=PUBLIC_COMMENTS_PER_PAGE)
    return render_template(
        "consultation/public_comments.html",
        consultation=consultation,
        page=page,
        comments=notice.as_public(page.items),
        units=dict(consultation.unit_choices()),
    )


@bp.route("/<int:consultation_id>/attachments/<int:attachment_id>")
def attachment(consultation_id: int, attachment_id: int) -> Any:
    consultation = _published_or_404(consultation_id)
    item = db.session.get(ConsultationAttachment, attachment_id)
    if item is None or item.consultation_id != consultation.id:
        abort(404)
    return send_file(
        uploads.path_of(item.stored_name),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
    )


@bp.route("/<int:consultation_id>/comment", methods=["GET", "POST"])
@limiter.limit(_comment_rate_limit, methods=["POST"])
def comment(consultation_id: int) -> Any:
    if request.method == "GET":
        # A blank form is the same for everyone but its CSRF token, submission key and captcha challenge.
        return page_cache.cached_page(
            "comment-form",
            lambda: _comment_form(consultation_id),
            fillers={"submission_key": _new_submission_key, "captcha": captcha.fresh_field_html},
        )
    return _comment_form(consultation_id)


@dataclass(frozen=True)
class _Taken:
    key: str
    created: bool
    email_receipt: bool


def _take_comment(consultation: Consultation, form: CommentForm, key_checked: bool) -> _Taken | None:
    """The comment's whole transaction: its file, the comment stored once, its e-mail receipt, the commit; None when
    the file was refused (the form says why)."""
    stored_file = uploads.store_form_file(form.attachment)
    if stored_file is False:
        return None
    try:
        saved, created = commenting.submit_online_comment(
            consultation,
            form.comment_input(
                publish_name=bool(form.publish_name.data),
                notify_me=bool(form.notify_me.data),
                privacy_notice_version=current_app.config["CONSULTATION_PRIVACY_NOTICE_VERSION"],
            ),
            form.submission_key.data,
            stored_file or None,
            source=intake.source_key(request.remote_addr or ""),
            key_checked=key_checked,
        )
        # The e-mail receipt joins the comment's transaction: both are stored, or neither.
        email_receipt = created and commenting.queue_receipt(saved)
        key = saved.idempotency_key  # read before the commit expires the row
        db.session.commit()  # stored durably before the resident is told it was received
    except DBAPIError:
        db.session.rollback()
        if stored_file is not None:  # a file on this host's disk outlives the rollback; the next run stores its own
            uploads.remove(stored_file.stored_name)
        raise
    return _Taken(key, created, email_receipt)


# Run on every comment POST: built once.
_CONSULTATION_OF_KEY = db.select(Comment.consultation_id).where(Comment.idempotency_key == bindparam("key"))


def _new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def _comment_form(consultation_id: int) -> Any:
    consultation = _published_or_404(consultation_id)
    # A retried or double-clicked POST finds the comment the first one stored, before anything else is checked
    # (its captcha answer is already spent).
    key = request.form.get("submission_key", "") if request.method == "POST" else ""
    stored_in = None
    if key:
        stored_in = db.session.scalar(_CONSULTATION_OF_KEY, {"key": key})
        if stored_in == consultation.id:
            return redirect(url_for("consultation.received", key=key), code=303)
    phase = consultation.phase(utcnow())
    form = CommentForm()
    form.set_units(consultation.unit_choices())
    if request.method == "GET":
        form.unit_key.data = request.args.get("unit", "")
        form.submission_key.data = (
            page_cache.hole("submission_key") if page_cache.rendering_with_holes() else _new_submission_key()
        )
    if phase != "open":
        status = 403 if request.method == "POST" else 200
        return render_template("consultation/comment.html", consultation=consultation, form=None, phase=phase), status
    if form.validate_on_submit():
        try:
            # PostgreSQL may abort the transaction when near copies arrive at the same instant: it runs again.
            taken = database.retried_once(lambda: _take_comment(consultation, form, key_checked=stored_in is None))
        except services.WorkflowError as error:
            db.session.rollback()
            flash(" ".join(labels.problem_message(code) for code in error.problems), "error")
        else:
            if taken is not None:
                page_cache.show_own_change()
                if taken.created:
                    metrics.count_accepted("comment")
                if taken.email_receipt:
                    outbox.wake()  # the worker sends it; the resident never waits for the mail server
                return redirect(url_for("consultation.received", key=taken.key), code=303)
    if request.method == "POST" and request.files.get("attachment") and request.files["attachment"].filename:
        form.attachment.errors = [*form.attachment.errors, _("Please choose the file again.")]
    # A refused form comes back as a normal page (200): the resident's browser shows it like any other.
    return render_template("consultation/comment.html", consultation=consultation, form=form, phase=phase)


@bp.route("/received/<key>")
def received(key: str) -> str:
    """The receipt shown after submitting; its address holds the form's unguessable key, not the number."""
    saved = db.session.scalar(db.select(Comment).where(Comment.idempotency_key == key))
    if saved is None:
        abort(404)
    # What became of the e-mail receipt, from the outbox: queued (or waiting for a mail server), sent, failed.
    message = outbox.status_of(commenting.receipt_topic(saved)) if saved.email else None
    return render_template(
        "consultation/received.html",
        comment=saved,
        consultation=saved.consultation,
        mail=message,
        mail_server=outbox.server_configured(),
    )


@bp.route("/receipt", methods=["GET", "POST"])
@limiter.limit(_comment_rate_limit, methods=["POST"])
def lookup() -> Any:
    form = ReceiptLookupForm()
    found = None
    searched = with_contact = False
    if form.validate_on_submit():
        searched = True
        with_contact = bool((form.contact.data or "").strip())
        found = commenting.find_by_receipt(form.receipt.data, form.contact.data or "")
        form.contact.data = ""  # never echo the phone or e-mail back
    # The answer shows once the department has published it, not while it is still being drafted, and only to
    # someone who also gave the contact: the receipt number alone shows the status.
    feedback_published = found is not None and found.consultation.status in feedback.PUBLISHED_STATUSES
    return render_template(
        "consultation/lookup.html",
        form=form,
        found=found,
        searched=searched,
        with_contact=searched and with_contact,
        feedback_published=feedback_published,
        answer_published=feedback_published and with_contact,
    )
