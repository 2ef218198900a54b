"""Survey results and exports at scale; prints figures, never asserts.

Run from the repository root: .venv/bin/python -m bench.survey_results [--responses 100000] [--csv-responses 1000000]
A scratch SQLite database gets a 20-question survey and N responses (bulk INSERTs, bench/survey_data.py). Then,
each in its own process (a fresh gunicorn worker has nothing cached), with wall time, CPU time (getrusage of
that process) and the load average of the machine, which is shared:
- the staff results page through the Flask test client: the first view ever (nothing on disk: the shared
  snapshot is built), a fresh worker's first view once the snapshot exists, its next view, filtered views and
  the cross-tabulation, and a fresh worker's first view after 1,000 more responses (targets: <= 1 s);
- each export, with its peak RSS and its growth over the resident size at the start of the export (the peak
  is reset then): xlsx and sav of N responses, CSV of N and of --csv-responses (targets: CSV of
  1,000,000 <= 30 s and <= 100 MiB growth; xlsx of 100,000 <= 20 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CONFIG = {"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "LOG_FORMAT": "text"}
TOP_UP = 1000  # responses added before the last page measurement


def _app(database: str):  # a Flask app
    from app import create_app

    return create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})


def populate(database: str, responses: int) -> int:
    from bench.survey_data import add_responses, build_survey
    from core.extensions import db
    from tests.factories import make_department, make_user

    with _app(database).app_context():
        db.create_all()
        department = make_department("bench")
        editor = make_user("editor", department, email="bench@example.cn")
        survey = build_survey(department.id, editor)
        db.session.commit()
        add_responses(survey.id, responses)
        return survey.id


def _status_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process from /proc, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> float:
    """Start measuring the peak afresh (Linux: clear_refs 5 resets VmHWM); returns the resident size now."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mib("VmRSS")


def peak_rss_mib() -> float:
    return _status_mib("VmHWM")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_average() -> float:
    return os.getloadavg()[0]


def page_cases(survey_id: int, which: str) -> list[tuple[str, str]]:
    results = f"/manage/surveys/{survey_id}/results"
    if which == "cold":
        return [("results, first view ever (builds snapshot)", results)]
    if which == "top-up":
        return [(f"results, fresh worker, +{TOP_UP:,} responses", results)]
    return [
        ("results, fresh worker's first view", results),
        ("results, next view", results),
        ("results, filtered by answer and dates", f"{results}?answer=services:2&since=2025-03-10&until=2025-05-31"),
        ("cross-tabulation street x age", f"{results}/crosstab?rows=street&columns=age"),
        ("cross-tabulation, filtered", f"{results}/crosstab?rows=services&columns=job&answer=gender:1"),
    ]


def time_pages(database: str, survey_id: int, which: str) -> None:
    """In a fresh process: each page's wall and CPU seconds, printed as JSON."""
    from tests.factories import DEFAULT_PASSWORD

    app = _app(database)
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.cn", "password": DEFAULT_PASSWORD})
    figures = {}
    for label, url in page_cases(survey_id, which):
        started, cpu = time.perf_counter(), cpu_seconds()
        response = client.get(url)
        wall = time.perf_counter() - started if response.status_code == 200 else float("nan")
        figures[label] = [wall, cpu_seconds() - cpu, load_average()]
    print(json.dumps(figures))


def child(database: str, survey_id: int, fmt: str) -> None:
    from core.exports import iter_csv, write_xlsx
    from surveys.models import Survey
    from surveys.results.filters import Filters
    from surveys.transfer.exports import csv_parts, response_sheets
    from surveys.transfer.sav_export import write_sav

    app = _app(database)
    with app.app_context(), tempfile.TemporaryDirectory() as directory:
        from core.extensions import db

        survey = db.session.get(Survey, survey_id)
        path = os.path.join(directory, f"export.{fmt}")
        baseline = reset_peak_rss()
        started, cpu = time.perf_counter(), cpu_seconds()
        with app.test_request_context():
            if fmt == "csv":
                header, rows = csv_parts(survey, Filters(status="all"), False)
                with open(path, "w", encoding="utf-8", newline="") as handle:
                    for chunk in iter_csv(header, rows, bom=True):
                        handle.write(chunk)
            elif fmt == "xlsx":
                write_xlsx(path, response_sheets(survey, Filters(status="all"), False))
            else:
                write_sav(path, survey, Filters(status="all"))
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        size = os.path.getsize(path)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "bytes": size, "baseline_mib": baseline,
                      "peak_rss_mib": peak_rss_mib(), "load": load_average()}))  # fmt: skip


def _run(*args: str) -> str:
    command = [sys.executable, "-m", "bench.survey_results", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=1800).stdout


def run_pages(database: str, survey_id: int, which: str) -> None:
    figures = json.loads(_run("--pages", database, str(survey_id), which).strip().splitlines()[-1])
    for label, (wall, cpu, load) in figures.items():
        print(f"  {label:<44} {wall:6.2f} s  cpu {cpu:6.2f} s  load {load:4.1f}")


def run_export(database: str, survey_id: int, fmt: str, responses: int) -> None:
    result = json.loads(_run("--child", database, str(survey_id), fmt).strip().splitlines()[-1])
    print(f"  {fmt:<6} {responses:>10,} {result['seconds']:>6.1f} s {result['cpu']:>6.1f} s "
          f"{result['peak_rss_mib']:>6.0f} MiB {result['peak_rss_mib'] - result['baseline_mib']:>5.0f} MiB "
          f"{result['bytes'] / 1e6:>6.1f} MB  {result['load']:4.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--csv-responses", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--pages", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return
    if args.pages:
        time_pages(args.pages[0], int(args.pages[1]), args.pages[2])
        return
    with tempfile.TemporaryDirectory() as directory:
        # Snapshots of the results go under instance/; keep them in the scratch directory.
        os.environ["MINYI_INSTANCE_PATH"] = directory
        database = os.path.join(directory, "bench.sqlite")
        print(f"{os.cpu_count()} cores, load average {load_average():.1f} at start")
        started = time.perf_counter()
        survey_id = populate(database, args.responses)
        print(f"{args.responses:,} responses x 20 questions written in {time.perf_counter() - started:.0f} s")
        run_pages(database, survey_id, "cold")
        run_pages(database, survey_id, "warm")
        with _app(database).app_context():
            from bench.survey_data import add_responses

            add_responses(survey_id, TOP_UP, seed=9)
        run_pages(database, survey_id, "top-up")
        responses = args.responses + TOP_UP
        print(f"  {'export':<6} {'responses':>10} {'time':>8} {'cpu':>8} {'peak RSS':>10} {'growth':>9} "
              f"{'size':>9}  load")  # fmt: skip
        for fmt in ("csv", "xlsx", "sav"):
            run_export(database, survey_id, fmt, responses)
        if args.csv_responses > responses:
            with _app(database).app_context():
                add_responses(survey_id, args.csv_responses - responses, seed=8)
            run_export(database, survey_id, "csv", args.csv_responses)
    print("Targets: results page <= 1 s; CSV of 1,000,000 <= 30 s and <= 100 MiB growth; xlsx of 100,000 <= 20 s.")


if __name__ == "__main__":
    main()
