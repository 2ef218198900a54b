"""Staff downloads and uploads: responses as .xlsx / .csv / .sav, and the questionnaire as an XLSForm.

Every download is audited with who took it, the format and the filters; responses are personal data.
"""

from __future__ import annotations

import io
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField

from core import audit
from core.exports import (
    LOCAL_TZ,
    XLSX_MIMETYPE,
    XLSX_SYNC_ROW_LIMIT,
    content_disposition,
    csv_response,
    write_xlsx,
    xlsx_response,
)
from core.extensions import db
from core.models import Department, Role
from core.permissions import guard_blueprint
from surveys.permissions import survey_for_results_or_403
from surveys.results.filters import Filters
from surveys.transfer import xlsform_export, xlsform_import
from surveys.transfer.exports import csv_parts, response_count, response_sheets
from surveys.transfer.repeat_exports import repeat_csv_parts, repeat_questions
from surveys.transfer.sav_export import TooManyRows, write_sav

bp = Blueprint("survey_transfer", __name__, url_prefix="/manage/surveys")
guard_blueprint(bp, Role.EDITOR, Role.APPROVER, Role.MODERATOR, Role.ADMIN)

SAV_MIMETYPE = "application/x-spss-sav"
IN_MEMORY_ROWS = 20_000  # smaller .xlsx downloads are built in memory (a few MiB at most)


def _filename(survey: Any, extension: str) -> str:
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return f"{survey.title[:40]}-{stamp}.{extension}"


@bp.route("/<int:survey_id>/export.<any(xlsx, csv, sav):fmt>")
def export(survey_id: int, fmt: str) -> Any:
    survey = survey_for_results_or_403(survey_id)
    filters = Filters.from_args(request.args, survey)
    labels = bool(request.args.get("labels")) and fmt != "sav"
    bom = bool(request.args.get("bom")) and fmt == "csv"
    rows = response_count(survey, filters)
    if fmt == "xlsx" and rows > XLSX_SYNC_ROW_LIMIT:
        flash(_("Too many responses for an Excel download here; use CSV, or the command line export."), "error")
        return redirect(url_for("survey_results.results", survey_id=survey.id, **filters.as_args()))
    detail = {"format": fmt, "labels": labels, "bom": bom, "filters": filters.as_args(), "rows": rows}
    audit.record("survey.export", survey, detail=detail)
    db.session.commit()
    if fmt == "csv" and request.args.get("repeat"):  # the entries of one repeat group, linked by response_id
        question = next((q for q in repeat_questions(survey) if q.code == request.args["repeat"]), None)
        if question is None:
            abort(404)
        header, body = repeat_csv_parts(survey, filters, question, labels)
        return csv_response(_filename(survey, "csv"), header, body, bom=bom)
    if fmt == "csv":
        header, body = csv_parts(survey, filters, labels)
        return csv_response(_filename(survey, "csv"), header, body, bom=bom)
    if fmt == "xlsx":
        if rows > IN_MEMORY_ROWS:
            return xlsx_response(_filename(survey, "xlsx"), response_sheets(survey, filters, labels))
        buffer = io.BytesIO()  # small workbooks: no temporary file left for the server to close
        write_xlsx(buffer, response_sheets(survey, filters, labels))
        return _download(buffer.getvalue(), XLSX_MIMETYPE, _filename(survey, "xlsx"))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "export.sav"
        try:
            write_sav(path, survey, filters)
        except TooManyRows:
            flash(_("Too many responses for an SPSS download; use CSV."), "error")
            return redirect(url_for("survey_results.results", survey_id=survey.id, **filters.as_args()))
        # Bounded by SAV_ROW_LIMIT; pyreadstat has already held the whole frame in memory anyway.
        return _download(path.read_bytes(), SAV_MIMETYPE, _filename(survey, "sav"))


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
    return render_template("surveys/manage/import_xlsform.html", form=form, report=report)
