"""Long exports as jobs: the worker builds the file while the site keeps serving; staff watch a progress page.

A feature registers a runner per kind (`register_runner`, with who may still take the file: the same
per-department rule as the immediate download); a view that finds an export large calls `start(...)`, commits,
calls `launch(job)` and redirects to the job's page, which refreshes itself (a meta refresh: no script) until the
file is there, showing the percentage and the rows done. The writers report rows as they write them
(core/progress.py); the count reaches the job's row at most once per JOB_PROGRESS_SECONDS, through a connection of
its own, so the runner's transaction (and its server-side cursors) is never committed half-way. The runner returns
the finished file; it may register the file for /verify in the session, and that registration is committed only
together with the stored file (core/storage.py, area "exports"), so a code never points at a file that does not
exist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from flask import Flask, Response, abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from core import blueprints, progress, storage, tasks
from core.db import created_at, utcnow
from core.exports import send_download
from core.extensions import db
from core.models import Role
from core.routing import Routes

bp = Routes(blueprints.manage, "/jobs")
AREA = "exports"
logger = logging.getLogger(__name__)


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
    """The file a runner built: its bytes, or an open file at position 0 (spooled; closed once stored)."""

    filename: str
    mimetype: str
    content: bytes | None = None
    stream: IO[bytes] | None = None


Progress = Callable[[int, int], None]  # (rows done, rows in all), written at once
Runner = Callable[[ExportJob, Progress], Finished]
Access = Callable[[ExportJob, Any], bool]  # may this user (still) take this job's file?
_runners: dict[str, Runner] = {}
_access: dict[str, Access] = {}


def register_runner(kind: str, runner: Runner, access: Access | None = None) -> None:
    _runners[kind] = runner
    if access is not None:
        _access[kind] = access


def init_app(app: Flask) -> None:
    # The writers report every JOB_PROGRESS_ROWS rows; the job's row is written at most once per
    # JOB_PROGRESS_SECONDS (the page refreshes every 3 s).
    app.config.setdefault("JOB_PROGRESS_ROWS", 1000)
    app.config.setdefault("JOB_PROGRESS_SECONDS", 1.0)


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
    total = job.rows_total
    reporter = progress.Reporter(
        lambda done: write_progress(job_id, done, total),
        every=current_app.config["JOB_PROGRESS_ROWS"],
        seconds=current_app.config["JOB_PROGRESS_SECONDS"],
    )

    def set_progress(done: int, rows_total: int) -> None:
        nonlocal total
        total, reporter.done = rows_total, done
        write_progress(job_id, done, rows_total)

    try:
        with progress.reporting(reporter):
            finished = _runners[job.kind](job, set_progress)
        _store(job, finished)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.status, job.error, job.finished_at = "failed", f"{type(error).__name__}: {error}"[:500], utcnow()
        db.session.commit()
        raise
    return job.filename


def _store(job: ExportJob, finished: Finished) -> None:
    """Keep the file (before the commit that registers it for /verify) and mark the job done."""
    name = f"job-{job.id}-{utcnow():%Y%m%d%H%M%S%f}"
    if finished.stream is not None:
        with finished.stream:
            storage.put_file(AREA, name, finished.stream)
    else:
        storage.put(AREA, name, finished.content or b"")
    job.filename, job.mimetype, job.stored_name = finished.filename, finished.mimetype, name
    job.status, job.rows_done, job.finished_at = "done", job.rows_total, utcnow()


def write_progress(job_id: int, done: int, total: int) -> None:
    """Rows done so far, committed on a connection of its own: the runner's transaction stays open, its cursors
    streaming and its registrations uncommitted."""
    if db.engine.dialect.name == "sqlite" and _holds_sqlite_write_lock():
        return  # SQLite has one writer, and it is the runner (a packet registers its files as it goes): next time
    statement = (
        db.update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status == "running")
        .values(rows_done=min(done, total) if total else done, rows_total=total)
    )
    try:
        with db.engine.connect() as connection:
            connection.execute(statement)
            connection.commit()
    except OperationalError:  # a progress bar is not worth failing the export for
        logger.warning("progress of export job %s not written", job_id, exc_info=True)


def _holds_sqlite_write_lock() -> bool:
    """Whether this session has written in its open transaction (pysqlite begins one only before a write)."""
    return bool(getattr(db.session.connection().connection.dbapi_connection, "in_transaction", False))


def _own(job_id: int) -> ExportJob:
    """The job, to the one who asked for it (or an admin) while they may still take the file it is built from."""
    job = db.get_or_404(ExportJob, job_id)
    if job.created_by_id != current_user.id and not current_user.has_role(Role.ADMIN):
        abort(404)
    access = _access.get(job.kind)
    if access is not None and not access(job, current_user):
        abort(403)  # moved to another department since: the same answer as the immediate download
    return job


@bp.route("/<int:job_id>", endpoint="job")
def page(job_id: int) -> str:
    return render_template("manage/job.html", job=_own(job_id))


@bp.route("/<int:job_id>/download", endpoint="job_download")
def download(job_id: int) -> Response:
    job = _own(job_id)
    if job.status != "done":
        abort(404)
    return send_download(storage.local_path(AREA, job.stored_name), job.filename, job.mimetype)
