"""Staff pages of the summary and the legality review: download the 征求意见情况说明 (Word, PDF), the 意见采纳情况表
(xlsx, CSV, JSON) in the public or the internal version, the reply list and the packet; see the gate's checklist,
record an exemption, submit for legality review. For the department's staff, admins and the legality reviewers."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wsgi import wrap_file

from consultation import blueprints, export_jobs
from consultation.drafting.services import WorkflowError
from consultation.handling import feedback
from consultation.legality import gate as legality
from consultation.legality import labels as review_labels
from consultation.legality.forms import ExemptionForm
from consultation.legality.models import ExemptionBasis
from consultation.models import Consultation
from consultation.permissions import can_edit, can_take_reply_list, can_take_summary, can_view, require
from consultation.summary import exports as summary_exports
from consultation.summary import packet
from consultation.summary.document import SLOW_PDF_ROWS
from consultation.summary.exports import IssuedFile, Stream
from core import tasks_jobs, verification
from core.exports import XLSX_MIMETYPE, content_disposition, iter_csv, write_xlsx
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Role
from core.routing import Routes
from core.verification import DocumentFormat, DocumentVersion

bp = Routes(blueprints.manage, "/consultations", Role.EDITOR, Role.APPROVER, Role.ADMIN, Role.REVIEWER)

# Finished files up to this size are sent from memory; bigger ones stream from their spooled temporary file.
SEND_AS_BYTES = 8 * 1024 * 1024


def _load(consultation_id: int) -> Consultation:
    consultation = db.get_or_404(Consultation, consultation_id)
    require(can_take_summary(current_user, consultation))
    return consultation


def _user() -> Any:
    return current_user._get_current_object()


def _headers(name: str, code: str = "") -> dict[str, str]:
    # Exports hold personal data: no shared or browser cache may keep a copy.
    headers = {"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"}
    if code:
        headers["X-Verification-Code"] = verification.display_code(code)
    return headers


def send_issued(issued: IssuedFile) -> Response:
    """A finished file: a small one as bytes, a large one as the spooled file handed to the server as it is."""
    headers = _headers(issued.filename, issued.document.code)
    if issued.document.size <= SEND_AS_BYTES:  # its spool closed here, whether or not the client closes the response
        return Response(issued.content, mimetype=issued.mimetype, headers=headers)
    headers["Content-Length"] = str(issued.document.size)
    body = wrap_file(request.environ, issued.stream)
    return Response(body, mimetype=issued.mimetype, headers=headers, direct_passthrough=True)


def send_stream(stream: Stream) -> Response:
    return Response(
        stream_with_context(stream.chunks), content_type=stream.mimetype, headers=_headers(stream.filename, stream.code)
    )


def _to_summary(consultation: Consultation) -> Any:
    return redirect(url_for("consultation_manage.summary", consultation_id=consultation.id))


@bp.route("/<int:consultation_id>/summary")
def summary(consultation_id: int) -> str:
    consultation = _load(consultation_id)
    stats = feedback.statistics(consultation)
    may_edit = can_edit(current_user, consultation)
    return render_template(
        "consultation_manage/summary.html",
        consultation=consultation,
        stats=stats,
        slow_pdf=stats.valid > SLOW_PDF_ROWS,
        checklist=legality.checklist(consultation),
        review=legality.review_of(consultation),
        issued=verification.issued_for(summary_exports.OBJECT_TYPE, consultation.id)[:20],
        history=legality.history(consultation),
        may_edit=may_edit,
        back_url=url_for("consultation_manage.detail", consultation_id=consultation.id)
        if can_view(current_user, consultation)
        else url_for("consultation_manage.review_item", consultation_id=consultation.id),
        may_reply_list=can_take_reply_list(current_user, consultation),
        exemption_form=ExemptionForm(formdata=None) if may_edit else None,
        labels=review_labels,
    )


@bp.route("/<int:consultation_id>/summary.<fmt>")
def download(consultation_id: int, fmt: str) -> Response:
    """One format of the summary; ?version=internal for names in full, &bom=1 for CSV that Excel opens."""
    consultation = _load(consultation_id)
    try:
        document_format = DocumentFormat(fmt)
        version = DocumentVersion(request.args.get("version", DocumentVersion.PUBLIC.value))
    except ValueError:
        abort(404)
    if document_format not in summary_exports.FORMATS:
        abort(404)
    if export_jobs.is_large(consultation, document_format):  # built by the worker, with a progress page
        return _to_job(export_jobs.start(consultation, document_format, version, current_user))
    bom = request.args.get("bom") == "1"
    exported = summary_exports.export(consultation, document_format, version, _user(), bom=bom)
    if isinstance(exported, Stream):  # registered and audited by the stream itself, once it has been sent in full
        return send_stream(exported)
    db.session.commit()
    return send_issued(exported)


@bp.route("/<int:consultation_id>/reply-list.<fmt>")
def reply_list(consultation_id: int, fmt: str) -> Response:
    """The internal list of commenters with their phone and e-mail, for the department to reply."""
    consultation = _load(consultation_id)
    require(can_take_reply_list(current_user, consultation))
    if fmt not in ("xlsx", "csv"):
        abort(404)
    name, sheet = summary_exports.reply_list(consultation, _user(), DocumentFormat(fmt))
    db.session.commit()
    if fmt == "csv":
        chunks = (text.encode() for text in iter_csv(sheet.header, sheet.rows, bom=True))
        return Response(stream_with_context(chunks), content_type="text/csv; charset=utf-8", headers=_headers(name))
    buffer = io.BytesIO()  # the reply list holds only the comments with contact data: a modest working file
    write_xlsx(buffer, [sheet])
    return Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE, headers=_headers(name))


@bp.route("/<int:consultation_id>/packet.zip")
def download_packet(consultation_id: int) -> Response:
    consultation = _load(consultation_id)
    if export_jobs.is_large(consultation):  # the packet of a large consultation is built by the worker too
        return _to_job(export_jobs.start_packet(consultation, current_user))
    issued = packet.build(consultation, _user())
    db.session.commit()
    return send_issued(issued)


def _to_job(job: tasks_jobs.ExportJob) -> Any:
    """Commit the job, hand it to the worker and send the user to its progress page."""
    db.session.commit()
    tasks_jobs.launch(job)
    return redirect(url_for("manage.job", job_id=job.id))


# ------------------------------------------------------------------------------------------------ the gate


def _flash_problems(error: WorkflowError) -> None:
    for code in error.problems:
        flash(review_labels.problem_message(code), "error")


def _editor_step(consultation_id: int, action: Any, success: str) -> Any:
    consultation = _load(consultation_id)
    require(can_edit(current_user, consultation))
    ConfirmForm().validate_on_submit()
    try:
        action(consultation)
    except WorkflowError as error:
        db.session.rollback()
        _flash_problems(error)
        return _to_summary(consultation)
    db.session.commit()
    flash(success, "success")
    return _to_summary(consultation)


@bp.route("/<int:consultation_id>/legality/submit", methods=["POST"])
def submit_for_legality_review(consultation_id: int) -> Any:
    return _editor_step(
        consultation_id,
        lambda c: legality.submit(c, _user()),
        _("Submitted for legality review. The justice bureau sees it with its checklist and packet."),
    )


@bp.route("/<int:consultation_id>/legality/exemption", methods=["POST"])
def record_exemption(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    require(can_edit(current_user, consultation))
    form = ExemptionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _to_summary(consultation)
    basis, note = ExemptionBasis(form.basis.data), form.note.data or ""
    return _editor_step(
        consultation_id,
        lambda c: legality.record_exemption(c, basis, note, _user()),
        _("The exemption and its legal basis are recorded; they go into the packet."),
    )


@bp.route("/<int:consultation_id>/legality/exemption/withdraw", methods=["POST"])
def withdraw_exemption(consultation_id: int) -> Any:
    return _editor_step(
        consultation_id, lambda c: legality.withdraw_exemption(c, _user()), _("The exemption was withdrawn.")
    )
