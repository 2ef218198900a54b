"""The 征求意见情况说明 of a large consultation built by the worker (core/tasks_jobs.py) instead of in the request:
Word, PDF and xlsx beyond CONSULTATION_EXPORT_JOB_ROWS valid comments (a 100,000-comment PDF takes minutes). The
summary's one export (consultation/summary/exports.py) builds and registers it, exactly as for a direct download;
the registration is committed with the stored file."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from consultation.handling import feedback
from consultation.models import Consultation
from consultation.summary import exports as summary_exports
from core import tasks_jobs
from core.extensions import db
from core.models import User
from core.verification import DocumentFormat, DocumentVersion

KIND = "consultation-summary"
JOB_FORMATS = (DocumentFormat.PDF, DocumentFormat.DOCX, DocumentFormat.XLSX)


def init_app(app: Flask) -> None:
    # Below this many valid comments the file is made in the request, as before (a few seconds at most).
    app.config.setdefault("CONSULTATION_EXPORT_JOB_ROWS", 5000)
    tasks_jobs.register_runner(KIND, run_summary)


def is_large(consultation: Consultation, fmt: DocumentFormat) -> bool:
    limit = current_app.config["CONSULTATION_EXPORT_JOB_ROWS"]
    return fmt in JOB_FORMATS and feedback.statistics(consultation).valid >= limit


def start(consultation: Consultation, fmt: DocumentFormat, version: DocumentVersion, user: Any) -> tasks_jobs.ExportJob:
    rows = feedback.statistics(consultation).valid
    options = {"format": fmt.value, "version": version.value}
    return tasks_jobs.start(KIND, consultation.id, options, user, rows_total=rows)


def run_summary(job: tasks_jobs.ExportJob, progress: tasks_jobs.Progress) -> tasks_jobs.Finished:
    consultation = db.session.get(Consultation, job.object_id)
    if consultation is None:
        raise LookupError(f"consultation {job.object_id} is gone")
    fmt, version = DocumentFormat(job.options["format"]), DocumentVersion(job.options["version"])
    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    progress(0, job.rows_total)
    issued = summary_exports.export(consultation, fmt, version, user)
    assert isinstance(issued, summary_exports.IssuedFile)  # JOB_FORMATS are finished formats, never streamed
    return tasks_jobs.Finished(issued.filename, issued.mimetype, issued.content)
