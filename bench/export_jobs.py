"""Long exports as worker jobs: how long each takes and how its progress reaches the job page; never asserts.

Run from the repository root: .venv/bin/python -m bench.export_jobs [--responses 100000] [--comments 0]
A scratch SQLite database gets a 20-question survey with N responses (bench/survey_data.py) and, with --comments,
a closed consultation with that many valid comments (bench/summary_exports.py). Each export then runs as the
worker runs it (core/tasks_jobs.run_job, in this process) with the default JOB_PROGRESS_ROWS and
JOB_PROGRESS_SECONDS: wall and CPU time, the progress writes the job page would have read (how many, the first,
the longest wait between two), and the same file written outside a job for comparison (the cost of reporting).
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FORMATS = ("csv", "xlsx", "sav")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _app(folder: Path) -> Any:
    from app import create_app

    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}",
            "EXPORT_FOLDER": str(folder / "exports"),
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "QUEUE_IMMEDIATE": True,
            "LOG_FORMAT": "text",
        }
    )


def _survey(responses: int) -> tuple[int, Any]:
    from bench.survey_data import add_responses, build_survey
    from core.extensions import db
    from tests.factories import make_department, make_user

    department = make_department("bench-survey")
    editor = make_user("editor", department, email="bench@example.cn")
    survey = build_survey(department.id, editor)
    db.session.commit()
    add_responses(survey.id, responses)
    return survey.id, editor


def run_job(kind: str, object_id: int, options: dict[str, Any], user: Any, rows: int) -> dict[str, Any]:
    """One job as the worker runs it, with every progress write timed."""
    from core import tasks_jobs
    from core.extensions import db

    job = tasks_jobs.start(kind, object_id, options, user, rows_total=rows)
    db.session.commit()
    writes: list[tuple[float, int]] = []
    write = tasks_jobs.write_progress

    def timed(job_id: int, done: int, total: int) -> None:
        write(job_id, done, total)
        writes.append((time.perf_counter(), done))

    tasks_jobs.write_progress = timed
    started, cpu = time.perf_counter(), _cpu()
    try:
        tasks_jobs.run_job.call_local(job.id)
    finally:
        tasks_jobs.write_progress = write
    wall, cpu = time.perf_counter() - started, _cpu() - cpu
    db.session.expire_all()
    job = db.session.get(tasks_jobs.ExportJob, job.id)
    times = [started] + [at for at, _done in writes] + [started + wall]
    return {
        "status": job.status,
        "wall": wall,
        "cpu": cpu,
        "writes": len(writes),
        "first": (writes[0][0] - started) if writes else float("nan"),
        "gap": max(b - a for a, b in itertools.pairwise(times)),
        "size": Path(_stored(job)).stat().st_size if job.status == "done" else 0,
    }


def _stored(job: Any) -> Path:
    from core import storage, tasks_jobs

    return storage.local_path(tasks_jobs.AREA, job.stored_name)


def _plain(survey_id: int, fmt: str, folder: Path) -> float:
    """The same export written outside a job (nothing reported)."""
    from core.extensions import db
    from surveys.models import Survey
    from surveys.results.filters import Filters
    from surveys.transfer import export_jobs

    survey = db.session.get(Survey, survey_id)
    started = time.perf_counter()
    with (folder / f"plain.{fmt}").open("wb") as out:
        export_jobs.write(out, survey, fmt, Filters())
    return time.perf_counter() - started


def _print(name: str, rows: int, figures: dict[str, Any], plain: float | None) -> None:
    outside = f"{plain:6.1f} s" if plain is not None else "      –"
    print(
        f"{name:<22} {rows:>9,} {figures['status']:<6} {figures['wall']:7.1f} s {figures['cpu']:7.1f} s "
        f"{outside} {figures['writes']:>6} {figures['first']:6.2f} s {figures['gap']:6.2f} s "
        f"{figures['size'] / 1e6:7.1f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=0, help="also a summary PDF and the packet of this many")
    arguments = parser.parse_args()
    from consultation import export_jobs as consultation_jobs
    from core.extensions import db
    from surveys.results.filters import Filters
    from surveys.transfer import export_jobs

    with tempfile.TemporaryDirectory(prefix="minyi-bench-jobs-") as scratch:
        folder = Path(scratch)
        app = _app(folder)
        with app.app_context(), app.test_request_context():
            db.create_all()
            survey_id, user = _survey(arguments.responses)
            print(f"load average {os.getloadavg()[0]:.1f}; JOB_PROGRESS_ROWS {app.config['JOB_PROGRESS_ROWS']}, "
                  f"JOB_PROGRESS_SECONDS {app.config['JOB_PROGRESS_SECONDS']}")  # fmt: skip
            print("export                      rows status    wall      CPU  no job  writes  first    gap     file")
            for fmt in FORMATS:
                options = {"format": fmt, "filters": Filters().as_args(), "labels": False, "bom": False, "repeat": ""}
                figures = run_job(export_jobs.KIND, survey_id, options, user, arguments.responses)
                _print(f"survey {fmt}", arguments.responses, figures, _plain(survey_id, fmt, folder))
            if arguments.comments:
                from bench.summary_exports import setup

                [consultation_id] = setup(folder / "bench.sqlite", [arguments.comments])
                options = {"format": "pdf", "version": "internal"}
                figures = run_job(consultation_jobs.KIND, consultation_id, options, user, arguments.comments)
                _print("summary pdf", arguments.comments, figures, None)
                figures = run_job(consultation_jobs.PACKET_KIND, consultation_id, {}, user, 3 * arguments.comments)
                _print("legality packet", 3 * arguments.comments, figures, None)
            print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
