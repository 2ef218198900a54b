"""Survey results and exports at scale; prints figures, never asserts.

Run from the repository root: .venv/bin/python -m bench.survey_results [--responses 100000] [--csv-responses 1000000]
A scratch SQLite database gets a 20-question survey and N responses (bulk INSERTs, bench/survey_data.py). Then:
- the staff results page through the Flask test client: first view (columns read from the database), next view
  (cached columns), with a filter, and the cross-tabulation (targets: <= 1 s);
- each export in its own subprocess, with its time and peak RSS: xlsx and sav of N responses, CSV of N and of
  --csv-responses (targets: CSV of 1,000,000 <= 30 s and <= 100 MiB; xlsx of 100,000 <= 20 s).
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


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_pages(database: str, survey_id: int) -> dict[str, float]:
    from tests.factories import DEFAULT_PASSWORD

    app = _app(database)
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.cn", "password": DEFAULT_PASSWORD})
    figures = {}
    cases = [
        ("results, first view (reads the answers)", f"/manage/surveys/{survey_id}/results"),
        ("results, next view (cached columns)", f"/manage/surveys/{survey_id}/results"),
        ("results, filtered by answer and dates", f"/manage/surveys/{survey_id}/results?answer=services:2"
                                                  "&since=2025-03-10&until=2025-05-31"),
        ("cross-tabulation street x age", f"/manage/surveys/{survey_id}/results/crosstab?rows=street&columns=age"),
        ("cross-tabulation, filtered", f"/manage/surveys/{survey_id}/results/crosstab?rows=services&columns=job"
                                       "&answer=gender:1"),
    ]  # fmt: skip
    for label, url in cases:
        started = time.perf_counter()
        response = client.get(url)
        figures[label] = time.perf_counter() - started
        if response.status_code != 200:
            figures[label] = float("nan")
    return figures


def child(database: str, survey_id: int, fmt: str) -> None:
    from core.exports import iter_csv, write_xlsx
    from surveys.exports import csv_parts, response_sheets
    from surveys.models import Survey
    from surveys.result_filters import Filters
    from surveys.sav_export import write_sav

    app = _app(database)
    baseline = peak_rss_mib()
    with app.app_context(), tempfile.TemporaryDirectory() as directory:
        from core.extensions import db

        survey = db.session.get(Survey, survey_id)
        path = os.path.join(directory, f"export.{fmt}")
        started = time.perf_counter()
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
        seconds = time.perf_counter() - started
        size = os.path.getsize(path)
    print(json.dumps({"seconds": seconds, "bytes": size, "baseline_mib": baseline, "peak_rss_mib": peak_rss_mib()}))


def run_export(database: str, survey_id: int, fmt: str) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.survey_results", "--child", database, str(survey_id), fmt]
    output = subprocess.run(command, check=True, capture_output=True, text=True, timeout=1800).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--csv-responses", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return
    with tempfile.TemporaryDirectory() as directory:
        database = os.path.join(directory, "bench.sqlite")
        started = time.perf_counter()
        survey_id = populate(database, args.responses)
        print(f"{args.responses:,} responses x 20 questions written in {time.perf_counter() - started:.0f} s")
        for label, seconds in time_pages(database, survey_id).items():
            print(f"  {label:<42} {seconds:6.2f} s")
        print(f"  {'export':<8} {'responses':>10} {'time':>8} {'peak RSS':>10} {'(start)':>9} {'size':>9}")
        for fmt in ("csv", "xlsx", "sav"):
            result = run_export(database, survey_id, fmt)
            print(f"  {fmt:<8} {args.responses:>10,} {result['seconds']:>6.1f} s {result['peak_rss_mib']:>6.0f} MiB "
                  f"{result['baseline_mib']:>5.0f} MiB {result['bytes'] / 1e6:>6.1f} MB")  # fmt: skip
        if args.csv_responses > args.responses:
            from bench.survey_data import add_responses

            with _app(database).app_context():
                add_responses(survey_id, args.csv_responses - args.responses, seed=8)
            result = run_export(database, survey_id, "csv")
            print(f"  {'csv':<8} {args.csv_responses:>10,} {result['seconds']:>6.1f} s {result['peak_rss_mib']:>6.0f} "
                  f"MiB {result['baseline_mib']:>5.0f} MiB {result['bytes'] / 1e6:>6.1f} MB")  # fmt: skip
    print("Targets: results page <= 1 s; CSV of 1,000,000 <= 30 s and <= 100 MiB; xlsx of 100,000 <= 20 s.")


if __name__ == "__main__":
    main()
