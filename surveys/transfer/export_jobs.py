"""Response exports of a large survey built by the worker (core/tasks_jobs.py) instead of in the request: .xlsx,
CSV and .sav of more than SURVEY_EXPORT_JOB_ROWS responses (after the filters). The staff member is sent to the
job's page, which shows the rows written so far and then offers the file; whoever may no longer see the survey's
results (moved to another department) is refused the file as they would be the download. Small exports stay
immediate, as before. The writers are the ones the immediate downloads use (surveys/transfer/exports.py).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from flask import Flask, current_app

from core import tasks_jobs
from core.exports import LOCAL_TZ, XLSX_MIMETYPE, NeutralisedRows, iter_csv, write_xlsx
from core.extensions import db
from surveys.models import Question, Survey
from surveys.permissions import may_see_results
from surveys.results.filters import Filters
from surveys.transfer.exports import csv_parts, response_sheets
from surveys.transfer.repeat_exports import repeat_csv_parts, repeat_questions
from surveys.transfer.sav_export import write_sav

KIND = "survey-responses"
MIMETYPES = {"xlsx": XLSX_MIMETYPE, "csv": "text/csv; charset=utf-8", "sav": "application/x-spss-sav"}
SPOOL_BYTES = 16 * 1024 * 1024  # a finished file beyond this waits on disk, not in memory, until it is stored


def init_app(app: Flask) -> None:
    # Above this many responses (after the filters) an export is built by the worker, with a progress page.
    app.config.setdefault("SURVEY_EXPORT_JOB_ROWS", 20_000)
    tasks_jobs.register_runner(KIND, run_export, access=may_take)


def filename(survey: Survey, extension: str) -> str:
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return f"{survey.title[:40]}-{stamp}.{extension}"


def repeat_question(survey: Survey, code: str) -> Question | None:
    return next((question for question in repeat_questions(survey) if question.code == code), None)


def csv_rows(
    survey: Survey, filters: Filters, labels: bool, repeat: Question | None
) -> tuple[list[str], NeutralisedRows]:
    """The CSV's header and rows: the responses, or the entries of one repeat group linked by response_id."""
    if repeat is not None:
        return repeat_csv_parts(survey, filters, repeat, labels)
    return csv_parts(survey, filters, labels)


def is_large(rows: int) -> bool:
    return rows > current_app.config["SURVEY_EXPORT_JOB_ROWS"]


def start(survey: Survey, fmt: str, filters: Filters, rows: int, user: Any, *, labels: bool, bom: bool,
          repeat: Question | None) -> tasks_jobs.ExportJob:  # fmt: skip
    """The job in the caller's transaction (commit, then `tasks_jobs.launch`)."""
    options = {"format": fmt, "filters": filters.as_args(), "labels": labels, "bom": bom, "repeat": ""}
    if repeat is not None:
        options["repeat"] = repeat.code
    # An .xlsx reads the responses once for its sheet and once per repeat group's sheet.
    sheets = 1 + len(repeat_questions(survey)) if fmt == "xlsx" else 1
    return tasks_jobs.start(KIND, survey.id, options, user, rows_total=rows * sheets)


def write(out: IO[bytes], survey: Survey, fmt: str, filters: Filters, *, labels: bool = False, bom: bool = False,
          repeat: Question | None = None) -> None:  # fmt: skip
    """The export in `fmt` into an open binary file, its rows reported as they are written (core/progress.py)."""
    if fmt == "csv":
        header, body = csv_rows(survey, filters, labels, repeat)
        for text in iter_csv(header, body, bom=bom):
            out.write(text.encode("utf-8"))
    elif fmt == "xlsx":
        write_xlsx(out, response_sheets(survey, filters, labels))
    elif fmt == "sav":
        with tempfile.TemporaryDirectory() as directory:  # pyreadstat writes to a path
            path = Path(directory) / "export.sav"
            write_sav(path, survey, filters)
            with path.open("rb") as written:
                shutil.copyfileobj(written, out, 1024 * 1024)
    else:
        raise ValueError(f"not a response export format: {fmt}")


def run_export(job: tasks_jobs.ExportJob, progress: tasks_jobs.Progress) -> tasks_jobs.Finished:
    survey = db.session.get(Survey, job.object_id)
    if survey is None:
        raise LookupError(f"survey {job.object_id} is gone")
    options, fmt = job.options, job.options["format"]
    repeat = repeat_question(survey, options.get("repeat") or "")
    filters = Filters.from_args(options.get("filters") or {}, survey)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed once stored
    try:
        write(spool, survey, fmt, filters, labels=bool(options.get("labels")), bom=bool(options.get("bom")),
              repeat=repeat)  # fmt: skip
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return tasks_jobs.Finished(filename(survey, fmt), MIMETYPES[fmt], stream=spool)


def may_take(job: tasks_jobs.ExportJob, user: Any) -> bool:
    """The immediate download's rule (surveys/permissions.py), asked again when the file is fetched."""
    survey = db.session.get(Survey, job.object_id)
    return survey is not None and may_see_results(user, survey)
