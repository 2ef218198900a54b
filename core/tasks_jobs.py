"""Long exports as jobs: the worker builds the file while the site keeps serving; staff watch a progress page.

A feature registers a runner per kind (`register_runner`); a view that finds an export large calls `start(...)`,
commits, calls `launch(job)` and redirects to the job's page, which refreshes itself (a meta refresh: no script)
until the file is there. The runner returns the finished file; it may register the file for /verify in the
session, and that registration is committed only together with the stored file (core/storage.py, area "exports"),
so a code never points at a file that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template, send_file
from flask_login import current_user, login_required
from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core import storage, tasks
from core.db import created_at, utcnow
from core.exports import content_disposition
from core.extensions import db
from core.models import Role

bp = Blueprint("jobs", __name__, url_prefix="/manage/jobs")
AREA = "exports"


class ExportJob(db.Model):
    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued, running, done, failed
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(255), default="")
    mimetype: Mapped[str] = mapped_column(String(100), default="")
    stored_name: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    finished_at: Mapped[datetime | None]

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(99, 100 * self.rows_done // self.rows_total) if self.rows_total else 0


@dataclass
class Finished:
    filename: str
    mimetype: str
    content: bytes


Progress = Callable[[int, int], None]
Runner = Callable[[ExportJob, Progress], Finished]
_runners: dict[str, Runner] = {}


def register_runner(kind: str, runner: Runner) -> None:
    _runners[kind] = runner


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def start(kind: str, object_id: int, options: dict[str, Any], user: Any, rows_total: int = 0) -> ExportJob:
    """A job row in the caller's transaction; `launch` it after the commit."""
    job = ExportJob(kind=kind, object_id=object_id, options=options, created_by_id=user.id, rows_total=rows_total)
    db.session.add(job)
    db.session.flush()
    return job


def launch(job: ExportJob) -> None:
    tasks.enqueue_safely(run_job, job.id)


@tasks.task()
def run_job(job_id: int) -> str:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return "nothing to do"  # done already (a repeated wake-up) or gone
    job.status = "running"
    db.session.commit()

    def progress(done: int, total: int) -> None:
        job.rows_done, job.rows_total = done, total
        db.session.commit()

    try:
        finished = _runners[job.kind](job, progress)
        name = f"job-{job.id}-{utcnow():%Y%m%d%H%M%S%f}"
        storage.put(AREA, name, finished.content)  # before the commit that registers the file for /verify
        job.filename, job.mimetype, job.stored_name = finished.filename, finished.mimetype, name
        job.status, job.rows_done, job.finished_at = "done", job.rows_total, utcnow()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.status, job.error, job.finished_at = "failed", f"{type(error).__name__}: {error}"[:500], utcnow()
        db.session.commit()
        raise
    return job.filename


def _own(job_id: int) -> ExportJob:
    job = db.get_or_404(ExportJob, job_id)
    if job.created_by_id != current_user.id and not current_user.has_role(Role.ADMIN):
        abort(404)
    return job


@bp.route("/<int:job_id>")
@login_required
def page(job_id: int) -> str:
    return render_template("manage/job.html", job=_own(job_id))


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id: int) -> Response:
    job = _own(job_id)
    if job.status != "done":
        abort(404)
    response = send_file(storage.local_path(AREA, job.stored_name), mimetype=job.mimetype)
    response.headers["Content-Disposition"] = content_disposition(job.filename)
    return response
