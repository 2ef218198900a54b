"""Staff downloads and uploads: responses as .xlsx / .csv / .sav, and the questionnaire as an XLSForm.

Every download is audited with who took it, the format and the filters; responses are personal data. More than
SURVEY_EXPORT_JOB_ROWS responses are built by the worker (surveys/transfer/export_jobs.py) behind a progress page.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField

from core import audit, tasks_jobs
from core.exports import (
    XLSX_MAX_ROWS,
    XLSX_MIMETYPE,
    XLSX_SYNC_ROW_LIMIT,
    content_disposition,
    csv_response,
    write_xlsx,
    xlsx_response,
)
from core.extensions import db
from core.models import Department, Role
from core.routing import Routes
from surveys import blueprints
from surveys.permissions import survey_for_results_or_403
from surveys.results.filters import Filters
from surveys.transfer import export_jobs, xlsform_export, xlsform_import
from surveys.transfer.exports import SAV_ROW_LIMIT, response_count, response_sheets

bp = Routes(blueprints.manage, "", Role.EDITOR, Role.APPROVER, Role.MODERATOR, Role.ADMIN)

IN_MEMORY_ROWS = 20_000  # smaller .xlsx downloads are built in memory (a few MiB at most)


@bp.route("/<int:survey_id>/export.<any(xlsx, csv, sav):fmt>")
def export(survey_id: int, fmt: str) -> Any:
    """The responses in one format; a large export is built by the worker and this sends to its progress page."""
    survey = survey_for_results_or_403(survey_id)
    filters = Filters.from_args(request.args, survey)
    labels = bool(request.args.get("labels")) and fmt != "sav"
    bom = bool(request.args.get("bom")) and fmt == "csv"
    repeat = None
    if fmt == "csv" and request.args.get("repeat"):  # the entries of one repeat group, linked by response_id
        repeat = export_jobs.repeat_question(survey, request.args["repeat"])
        if repeat is None:
            abort(404)
    rows = response_count(survey, filters)
    refused = _too_many(fmt, rows)
    if refused:
        flash(refused, "error")
        return redirect(url_for("surveys_manage.results", survey_id=survey.id, **filters.as_args()))
    detail = {"format": fmt, "labels": labels, "bom": bom, "filters": filters.as_args(), "rows": rows}
    audit.record("survey.export", survey, detail=detail)
    if export_jobs.is_large(rows):
        job = export_jobs.start(survey, fmt, filters, rows, current_user, labels=labels, bom=bom, repeat=repeat)
        db.session.commit()
        tasks_jobs.launch(job)
        return redirect(url_for("manage.job", job_id=job.id))
    db.session.commit()
    if fmt == "csv":
        header, body = export_jobs.csv_rows(survey, filters, labels, repeat)
        return csv_response(export_jobs.filename(survey, "csv"), header, body, bom=bom)
    if fmt == "xlsx":
        if rows > IN_MEMORY_ROWS:
            return xlsx_response(export_jobs.filename(survey, "xlsx"), response_sheets(survey, filters, labels))
        buffer = io.BytesIO()  # small workbooks: no temporary file left for the server to close
        write_xlsx(buffer, response_sheets(survey, filters, labels))
        return _download(buffer.getvalue(), XLSX_MIMETYPE, export_jobs.filename(survey, "xlsx"))
    buffer = io.BytesIO()  # bounded by SAV_ROW_LIMIT; pyreadstat has already held the whole frame in memory anyway
    export_jobs.write(buffer, survey, "sav", filters)
    return _download(buffer.getvalue(), export_jobs.MIMETYPES["sav"], export_jobs.filename(survey, "sav"))


def _too_many(fmt: str, rows: int) -> str:
    """Why an export of `rows` responses in `fmt` is refused here, or ""."""
    if fmt == "sav" and rows > SAV_ROW_LIMIT:
        return _("Too many responses for an SPSS download; use CSV.")
    # Beyond what Excel opens, or (when the worker takes only bigger ones) beyond what a request should build.
    if fmt == "xlsx" and (rows >= XLSX_MAX_ROWS or (rows > XLSX_SYNC_ROW_LIMIT and not export_jobs.is_large(rows))):
        return _("Too many responses for an Excel download here; use CSV, or the command line export.")
    return ""


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    headers = {"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"}
    return Response(data, mimetype=mimetype, headers=headers)


@bp.route("/<int:survey_id>/xlsform")
def export_xlsform(survey_id: int) -> Any:
    survey = survey_for_results_or_403(survey_id)
    buffer = io.BytesIO()
    xlsform_export.write(survey, buffer)
    audit.record("survey.xlsform_export", survey)
    db.session.commit()
    return _download(buffer.getvalue(), XLSX_MIMETYPE, f"{survey.title[:40]}-xlsform.xlsx")


class ImportForm(FlaskForm):
    department_id = SelectField(_l("Department"), coerce=int)
    workbook = FileField(_l("XLSForm workbook (.xlsx)"), validators=[FileRequired(), FileAllowed(["xlsx"])])


@bp.route("/import-xlsform", methods=["GET", "POST"])
def import_xlsform() -> Any:
    department_ids = current_user.department_ids(Role.EDITOR)
    if not department_ids:
        abort(403)
    form = ImportForm()
    departments = db.session.scalars(db.select(Department).where(Department.id.in_(department_ids))).all()
    form.department_id.choices = [(department.id, department.name) for department in departments]
    report = None
    if form.validate_on_submit():
        report = xlsform_import.import_workbook(form.workbook.data.stream, form.department_id.data, current_user)
        if report.survey is not None:
            db.session.commit()
            flash(_("The survey has been imported as a draft."), "success")
        else:
            db.session.rollback()
    return render_template("surveys_manage/import_xlsform.html", form=form, report=report)
