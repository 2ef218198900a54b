"""The 征求意见情况说明 and the legality-review packet of a large consultation built by the worker
(core/tasks_jobs.py) instead of in the request: Word, PDF, xlsx and the packet's zip from CONSULTATION_EXPORT_JOB_ROWS
valid comments on (a 100,000-comment PDF takes minutes; the packet holds Word, PDF and xlsx). The summary's one
export (consultation/summary/exports.py) and the packet's builder make and register them, exactly as for a direct
download; the registration is committed with the stored file. The file goes only to whoever may still take the
summary (consultation/permissions.py), as the direct download."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from consultation.handling import feedback
from consultation.models import Consultation
from consultation.permissions import can_take_summary
from consultation.summary import exports as summary_exports
from consultation.summary import packet
from core import tasks_jobs
from core.extensions import db
from core.models import User
from core.verification import DocumentFormat, DocumentVersion

KIND = "consultation-summary"
PACKET_KIND = "consultation-packet"
JOB_FORMATS = (DocumentFormat.PDF, DocumentFormat.DOCX, DocumentFormat.XLSX)


def init_app(app: Flask) -> None:
    # Below this many valid comments the file is made in the request, as before (a few seconds at most).
    app.config.setdefault("CONSULTATION_EXPORT_JOB_ROWS", 5000)
    tasks_jobs.register_runner(KIND, run_summary, access=may_take)
    tasks_jobs.register_runner(PACKET_KIND, run_packet, access=may_take)


def is_large(consultation: Consultation, fmt: DocumentFormat | None = None) -> bool:
    """Whether the summary in `fmt` (None: the packet) is built by the worker."""
    limit = current_app.config["CONSULTATION_EXPORT_JOB_ROWS"]
    return (fmt is None or fmt in JOB_FORMATS) and feedback.statistics(consultation).valid >= limit


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
    return tasks_jobs.Finished(issued.filename, issued.mimetype, stream=issued.stream)


def start_packet(consultation: Consultation, user: Any) -> tasks_jobs.ExportJob:
    # Rows written: the table three times, in the Word and the PDF summary and the xlsx.
    rows = 3 * feedback.statistics(consultation).valid
    return tasks_jobs.start(PACKET_KIND, consultation.id, {}, user, rows_total=rows)


def run_packet(job: tasks_jobs.ExportJob, progress: tasks_jobs.Progress) -> tasks_jobs.Finished:
    consultation = db.session.get(Consultation, job.object_id)
    if consultation is None:
        raise LookupError(f"consultation {job.object_id} is gone")
    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    issued = packet.build(consultation, user)
    return tasks_jobs.Finished(issued.filename, issued.mimetype, stream=issued.stream)


def may_take(job: tasks_jobs.ExportJob, user: Any) -> bool:
    """The direct download's rule, asked again when the file is fetched."""
    consultation = db.session.get(Consultation, job.object_id)
    return consultation is not None and can_take_summary(user, consultation)
