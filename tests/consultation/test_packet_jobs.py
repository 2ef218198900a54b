"""The legality-review packet of a large consultation is built by the worker like its summary: the reviewer (or the
editor) is sent to the job's page and downloads the whole zip, registered for /verify only once it is stored; the
rows written show on the job's row while each writer (Word, PDF, xlsx) runs; staff of another department get
neither the packet nor the job."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from consultation.legality import gate as legality
from consultation.summary import packet
from core import tasks_jobs
from core.extensions import db
from core.models import Membership, Role
from core.tasks_jobs import ExportJob
from core.verification import IssuedDocument, find_by_content
from tests.consultation.summary_helpers import docx_text, handled_consultation, pdf_text, xlsx_sheets
from tests.factories import make_department, make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
VALID = 8  # valid comments of handled_consultation()


@pytest.fixture(autouse=True)
def _large(app, tmp_path):
    app.config["EXPORT_FOLDER"] = str(tmp_path)
    app.config["CONSULTATION_EXPORT_JOB_ROWS"] = 1  # every consultation counts as large here


def _job_from(client, url: str) -> ExportJob:
    response = client.get(url, headers=EN)
    assert response.status_code == 302 and "/manage/jobs/" in response.headers["Location"], response.data[:300]
    job = db.session.scalars(db.select(ExportJob).order_by(ExportJob.id.desc())).first()
    assert job.status == "done", job.error  # immediate mode: the worker's task ran at once
    page = client.get(response.headers["Location"], headers=EN).text
    assert "The file is ready." in page and 'http-equiv="refresh"' not in page
    return job


def _download(client, job: ExportJob) -> bytes:
    with client.get(f"/manage/jobs/{job.id}/download") as response:
        assert response.status_code == 200, response.data[:300]
        return response.data


def test_the_packet_of_a_large_consultation_is_a_job_and_arrives_whole_for_the_reviewer(app, client, auth) -> None:
    handled = handled_consultation()
    legality.submit(handled.consultation, handled.editor)
    reviewer = make_user(Role.REVIEWER)
    db.session.commit()
    auth.login(reviewer.email)
    job = _job_from(client, f"/manage/consultations/{handled.consultation.id}/packet.zip")
    assert job.kind == "consultation-packet" and job.rows_total == job.rows_done == 3 * VALID
    content = _download(client, job)
    archive = zipfile.ZipFile(io.BytesIO(content))
    manifest = json.loads(archive.read("manifest.json"))
    for item in manifest["files"]:
        assert hashlib.sha256(archive.read(item["name"])).hexdigest() == item["sha256"]
    assert "张晓明" in docx_text(archive.read("01-征求意见情况说明（内部版）.docx"))  # the internal version
    assert "张晓明" in pdf_text(archive.read("02-征求意见情况说明（内部版）.pdf"))
    table = xlsx_sheets(archive.read("03-意见采纳情况表（内部版）.xlsx"))
    assert sum(len(rows) for rows in table.values()) > VALID
    document = find_by_content(content)
    assert document is not None and document.format.value == "zip" and document.display_code == manifest["packet_code"]
    assert document.issued_by_id == reviewer.id and job.filename == document.filename


def test_a_packet_job_that_fails_registers_none_of_its_files(app, client, auth, monkeypatch) -> None:
    handled = handled_consultation()
    db.session.commit()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(packet, "draft_docx", broken)  # after the summaries inside were issued
    auth.login(handled.editor.email)
    client.get(f"/manage/consultations/{handled.consultation.id}/packet.zip")
    job = db.session.scalars(db.select(ExportJob)).one()
    assert job.status == "failed" and "disk full" in job.error
    assert db.session.scalars(db.select(IssuedDocument)).all() == []
    page = client.get(f"/manage/jobs/{job.id}", headers=EN).text
    assert "The export failed" in page and client.get(f"/manage/jobs/{job.id}/download").status_code == 404


def _watch_progress(monkeypatch) -> list[tuple[str, int, int]]:
    """What another connection (the job page) reads from the job's row each time progress is written."""
    seen: list[tuple[str, int, int]] = []
    write = tasks_jobs.write_progress

    def watched(job_id: int, done: int, total: int) -> None:
        write(job_id, done, total)
        with db.engine.connect() as connection:
            query = select(ExportJob.status, ExportJob.rows_done, ExportJob.rows_total).where(ExportJob.id == job_id)
            seen.append(tuple(connection.execute(query).one()))

    monkeypatch.setattr(tasks_jobs, "write_progress", watched)
    return seen


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx"])
def test_each_summary_writer_reports_its_rows_as_it_goes(app, client, auth, monkeypatch, fmt) -> None:
    app.config.update(JOB_PROGRESS_ROWS=2, JOB_PROGRESS_SECONDS=0)
    handled = handled_consultation()
    db.session.commit()
    seen = _watch_progress(monkeypatch)
    auth.login(handled.editor.email)
    job = _job_from(client, f"/manage/consultations/{handled.consultation.id}/summary.{fmt}?version=internal")
    done = [rows for status, rows, total in seen if status == "running" and total == VALID]
    assert done == sorted(done) and {2, 4, 6} <= set(done), seen  # during the writing, not only at start and end
    assert job.rows_done == VALID and job.percent == 100


def test_the_packet_reports_rows_while_its_files_are_written(app, client, auth, monkeypatch) -> None:
    app.config.update(JOB_PROGRESS_ROWS=2, JOB_PROGRESS_SECONDS=0)
    handled = handled_consultation()
    db.session.commit()
    seen = _watch_progress(monkeypatch)
    auth.login(handled.editor.email)
    _job_from(client, f"/manage/consultations/{handled.consultation.id}/packet.zip")
    done = [rows for status, rows, _total in seen if status == "running"]
    assert {2, 4, 6, 8} <= set(done), seen  # the Word file's table
    if db.engine.dialect.name == "postgresql":
        # SQLite has one writer, and once the packet has registered its Word file it is the job itself.
        assert {10, 16, 22} <= set(done), seen  # then the PDF's and the xlsx's


def test_staff_of_another_department_get_neither_the_packet_nor_its_job(app, client, auth) -> None:
    handled = handled_consultation()
    db.session.commit()
    auth.login(handled.editor.email)
    job = _job_from(client, f"/manage/consultations/{handled.consultation.id}/packet.zip")
    auth.logout()
    auth.login_as(Role.EDITOR)  # an editor of another department
    assert client.get(f"/manage/consultations/{handled.consultation.id}/packet.zip").status_code == 403
    assert client.get(f"/manage/jobs/{job.id}").status_code == 404
    assert client.get(f"/manage/jobs/{job.id}/download").status_code == 404
    auth.logout()
    # The editor who asked for it, moved to another department since, may no longer take it.
    membership = db.session.scalars(db.select(Membership).where(Membership.user_id == handled.editor.id)).one()
    membership.department_id = make_department().id
    db.session.commit()
    auth.login(handled.editor.email)
    assert client.get(f"/manage/jobs/{job.id}/download").status_code == 403
