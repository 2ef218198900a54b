"""A large survey's response export is built by the worker: the staff member is sent to the job's page, which
shows the rows written so far while the writer runs, then downloads the whole file from storage. Small exports
stay immediate; staff of another department get neither the export nor the job's file."""

from __future__ import annotations

import csv
import io

import openpyxl
import pyreadstat
import pytest
from sqlalchemy import select

from core import storage, tasks_jobs
from core.extensions import db
from core.models import Membership
from core.tasks_jobs import ExportJob
from tests.factories import make_department
from tests.surveys.results_data import add_responses, every_type_survey, stored

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _export_folder(app, tmp_path):
    app.config["EXPORT_FOLDER"] = str(tmp_path)


def _survey(count: int = 30):
    survey = every_type_survey(title="居民满意度调查")
    add_responses(survey, count, incomplete_every=6)
    db.session.commit()
    return survey


def _download(client, job: ExportJob) -> bytes:
    with client.get(f"/manage/jobs/{job.id}/download") as response:
        assert response.status_code == 200, response.data[:300]
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "no-store"
        return response.data


def _job_from(client, url: str) -> ExportJob:
    response = client.get(url, headers=EN)
    assert response.status_code == 302 and "/manage/jobs/" in response.headers["Location"], response.data[:300]
    job = db.session.scalars(db.select(ExportJob)).one()
    page = client.get(response.headers["Location"], headers=EN).text
    assert job.status == "done", job.error  # immediate mode: the worker's task ran at once
    assert 'http-equiv="refresh"' not in page and "The file is ready." in page and job.filename in page
    return job


def _parsed(fmt: str, data: bytes, tmp_path) -> list[dict]:
    if fmt == "xlsx":
        rows = list(openpyxl.load_workbook(io.BytesIO(data))["Responses"].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    path = tmp_path / "job.sav"
    path.write_bytes(data)
    frame, _meta = pyreadstat.read_sav(str(path), output_format="dict")
    return [dict(zip(frame, values, strict=True)) for values in zip(*frame.values(), strict=True)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "sav"])
def test_a_large_survey_export_is_a_job_whose_file_arrives_whole(app, client, auth, tmp_path, fmt) -> None:
    app.config["SURVEY_EXPORT_JOB_ROWS"] = 10
    survey = _survey()
    auth.login_as("editor", survey.department)
    job = _job_from(client, f"/manage/surveys/{survey.id}/export.{fmt}?bom=1")
    expected = stored(survey)
    assert job.rows_total == job.rows_done == len(expected) == 25
    data = _download(client, job)
    assert storage.read(tasks_jobs.AREA, job.stored_name) == data  # kept through core/storage
    rows = _parsed(fmt, data, tmp_path)
    assert [int(row["response_id"]) for row in rows] == [response.id for response, _answers in expected]
    for row, (_response, answers) in zip(rows, expected, strict=True):
        assert int(row["nps"]) == answers["nps"]
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")  # the options asked for are the job's options
    assert job.filename.startswith("居民满意度调查-") and job.filename.endswith(f".{fmt}")


def test_the_job_keeps_the_filters_and_the_labels(app, client, auth) -> None:
    app.config["SURVEY_EXPORT_JOB_ROWS"] = 0
    survey = _survey()
    auth.login_as("editor", survey.department)
    job = _job_from(client, f"/manage/surveys/{survey.id}/export.csv?status=all&answer=street:1&labels=1")
    rows = list(csv.reader(io.StringIO(_download(client, job).decode("utf-8"))))
    chosen = [response for response, answers in stored(survey, complete=None) if answers.get("street") == "1"]
    assert len(rows) - 1 == len(chosen) == job.rows_total
    assert rows[0][0] == "Response number"  # labels, not codes (the request's language)
    street = rows[0].index(next(question.text for question in survey.questions if question.code == "street"))
    assert {row[street] for row in rows[1:]} == {"新屯街道"}


def test_the_job_page_is_told_the_rows_while_the_writer_runs(app, client, auth, monkeypatch) -> None:
    """Every few rows the job's row in the database says how far the writer is, not only at the start and end."""
    app.config.update(SURVEY_EXPORT_JOB_ROWS=10, JOB_PROGRESS_ROWS=5, JOB_PROGRESS_SECONDS=0)
    survey = _survey()
    auth.login_as("editor", survey.department)
    seen: list[tuple[str, int, int]] = []
    write = tasks_jobs.write_progress

    def watched(job_id: int, done: int, total: int) -> None:
        write(job_id, done, total)
        with db.engine.connect() as connection:  # what the job page would read now, from another connection
            query = select(ExportJob.status, ExportJob.rows_done, ExportJob.rows_total).where(ExportJob.id == job_id)
            seen.append(tuple(connection.execute(query).one()))

    monkeypatch.setattr(tasks_jobs, "write_progress", watched)
    job = _job_from(client, f"/manage/surveys/{survey.id}/export.xlsx")
    done = [rows for status, rows, total in seen if status == "running" and total == 25]
    assert done == sorted(done) and {5, 10, 15, 20} <= set(done), seen
    assert job.rows_done == 25 and job.percent == 100


def test_a_small_survey_export_stays_immediate(app, client, auth) -> None:
    survey = _survey(8)
    auth.login_as("editor", survey.department)
    response = client.get(f"/manage/surveys/{survey.id}/export.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert db.session.scalars(db.select(ExportJob)).all() == []


def test_staff_of_another_department_get_neither_the_export_nor_the_job(app, client, auth) -> None:
    app.config["SURVEY_EXPORT_JOB_ROWS"] = 0
    survey = _survey(5)
    editor = auth.login_as("editor", survey.department)
    job = _job_from(client, f"/manage/surveys/{survey.id}/export.csv")
    auth.logout()
    auth.login_as("editor")  # an editor of another department
    assert client.get(f"/manage/surveys/{survey.id}/export.csv").status_code == 403
    assert client.get(f"/manage/jobs/{job.id}").status_code == 404
    assert client.get(f"/manage/jobs/{job.id}/download").status_code == 404
    # Its own maker, moved to another department since, is refused the file as the download would refuse it.
    auth.logout()
    membership = db.session.scalars(db.select(Membership).where(Membership.user_id == editor.id)).one()
    membership.department_id = make_department().id
    db.session.commit()
    auth.login(editor.email)
    assert client.get(f"/manage/jobs/{job.id}").status_code == 403
    assert client.get(f"/manage/jobs/{job.id}/download").status_code == 403
