"""A large consultation's summary is built by the worker: the editor is sent to a progress page that refreshes
itself without script, then downloads the file, which /verify knows only once it exists; small ones stay immediate."""

from __future__ import annotations

import pytest

from core.extensions import db
from core.tasks_jobs import ExportJob
from core.verification import IssuedDocument, find_by_content
from tests.consultation.summary_helpers import handled_consultation
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _export_folder(app, tmp_path):
    app.config["EXPORT_FOLDER"] = str(tmp_path)


def test_a_large_summary_is_a_job_with_a_progress_page_and_its_file_is_registered(app, client, auth) -> None:
    app.config["CONSULTATION_EXPORT_JOB_ROWS"] = 1  # every consultation counts as large here
    handled = handled_consultation()
    db.session.commit()
    auth.login(handled.editor.email)
    response = client.get(f"/manage/consultations/{handled.consultation.id}/summary.docx?version=internal")
    assert response.status_code == 302 and "/manage/jobs/" in response.headers["Location"]
    job = db.session.scalars(db.select(ExportJob)).one()
    assert job.status == "done" and job.rows_total >= 1  # immediate mode: the worker's task ran at once
    page = client.get(response.headers["Location"], headers=EN).text
    assert 'http-equiv="refresh"' not in page and "The file is ready." in page
    with client.get(f"/manage/jobs/{job.id}/download") as download:
        assert download.status_code == 200 and download.data[:2] == b"PK"
        assert "attachment" in download.headers["Content-Disposition"]
    [issued] = db.session.scalars(db.select(IssuedDocument)).all()
    assert find_by_content(download.data) is not None and issued.filename == job.filename


def test_a_job_in_progress_refreshes_itself_and_shows_percent_and_rows(app, client, auth) -> None:
    handled = handled_consultation()
    job = ExportJob(kind="consultation-summary", object_id=handled.consultation.id, options={},
                    created_by_id=handled.editor.id, status="running", rows_done=250, rows_total=1000)  # fmt: skip
    db.session.add(job)
    db.session.commit()
    auth.login(handled.editor.email)
    page = client.get(f"/manage/jobs/{job.id}", headers=EN).text
    assert '<meta http-equiv="refresh" content="3">' in page
    assert 'value="25"' in page and "25%" in page and "250 of 1000 rows" in page
    assert client.get(f"/manage/jobs/{job.id}/download").status_code == 404  # nothing to offer yet


def test_a_small_summary_stays_immediate(app, client, auth) -> None:
    handled = handled_consultation()
    db.session.commit()
    auth.login(handled.editor.email)
    response = client.get(f"/manage/consultations/{handled.consultation.id}/summary.docx?version=internal")
    assert response.status_code == 200 and db.session.scalars(db.select(ExportJob)).all() == []


def test_a_failed_job_registers_nothing(app, client, auth, monkeypatch) -> None:
    from consultation.summary import exports

    app.config["CONSULTATION_EXPORT_JOB_ROWS"] = 1
    handled = handled_consultation()
    db.session.commit()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(exports.summary_document, "render", broken)
    auth.login(handled.editor.email)
    client.get(f"/manage/consultations/{handled.consultation.id}/summary.pdf")
    job = db.session.scalars(db.select(ExportJob)).one()
    assert job.status == "failed" and "disk full" in job.error
    assert db.session.scalars(db.select(IssuedDocument)).all() == []


def test_only_its_owner_sees_a_job(app, client, auth) -> None:
    handled = handled_consultation()
    job = ExportJob(kind="consultation-summary", object_id=handled.consultation.id, options={},
                    created_by_id=handled.editor.id, status="done")  # fmt: skip
    db.session.add(job)
    other = make_user("editor", handled.consultation.department)
    db.session.commit()
    auth.login(other.email)
    assert client.get(f"/manage/jobs/{job.id}").status_code == 404
