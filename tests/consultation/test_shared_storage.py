"""Files on several hosts: with STORAGE_BACKEND=database an attachment uploaded through one application instance
downloads through another that has its own instance folder, on the same database (PostgreSQL in `make test`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter

from consultation.drafting import uploads
from consultation.models import ConsultationAttachment, ConsultationStatus, SecrecyResult
from core import storage
from core.db import utcnow
from core.extensions import db
from core.models import Role
from tests.conftest import AuthActions, make_app
from tests.consultation.conftest import make_consultation
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "征求意见稿"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _host(test_config, root: Path, name: str):
    """An application as another host would run it: its own instance folder and upload folder."""
    instance = root / name
    return make_app(
        test_config, STORAGE_BACKEND="database", UPLOAD_FOLDER=str(instance / "uploads"), TESTING=True
    ), instance


def test_an_attachment_uploaded_on_one_host_downloads_on_another(app, test_config, tmp_path, monkeypatch) -> None:
    first, first_instance = _host(test_config, tmp_path, "host1")
    second, _ = _host(test_config, tmp_path, "host2")
    monkeypatch.setattr(first, "instance_path", str(first_instance))
    monkeypatch.setattr(second, "instance_path", str(tmp_path / "host2"))
    department = make_department()
    consultation = make_consultation(department, status=ConsultationStatus.DRAFT)
    db.session.commit()
    content = _pdf()
    uploader = first.test_client()
    AuthActions(uploader).login_as(Role.EDITOR, department)
    response = uploader.post(
        f"/manage/consultations/{consultation.id}/attachments",
        data={"file": (io.BytesIO(content), "征求意见稿.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 303), response.text[:500]
    [attachment] = db.session.scalars(db.select(ConsultationAttachment)).all()
    assert not (first_instance / "uploads" / attachment.stored_name).exists()  # nothing on the first host's disk
    consultation.status, consultation.secrecy_result = ConsultationStatus.SCHEDULED, SecrecyResult.CLEARED
    consultation.secrecy_reviewed_at = utcnow()
    db.session.commit()
    with second.test_client().get(f"/consultations/{consultation.id}/attachments/{attachment.id}") as download:
        assert download.status_code == 200
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.data == content


@pytest.fixture
def own_instance(app, tmp_path, monkeypatch):
    """The copies this host keeps of what it served go into a scratch instance folder, not the work tree's."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    app.config["STORAGE_BACKEND"] = "database"
    return app


def test_a_removed_file_is_gone_for_every_host(own_instance) -> None:
    stored = uploads.store(_pdf(), "附件.pdf")
    db.session.commit()
    assert uploads.path_of(stored.stored_name).read_bytes().startswith(b"%PDF")
    uploads.remove(stored.stored_name)
    db.session.commit()
    with pytest.raises(FileNotFoundError):
        uploads.path_of(stored.stored_name)


def test_a_file_stored_in_a_transaction_that_rolls_back_is_not_kept(own_instance) -> None:
    stored = uploads.store(_pdf(), "附件.pdf")
    db.session.rollback()
    with pytest.raises(FileNotFoundError):
        uploads.path_of(stored.stored_name)


def test_a_one_host_site_moves_its_files_into_the_database(app, runner, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    stored = uploads.store(_pdf(), "附件.pdf")
    assert (tmp_path / stored.stored_name).exists()  # the local default
    result = runner.invoke(args=["storage", "copy-to-database"])
    assert "1 files copied" in result.output
    (tmp_path / stored.stored_name).unlink()
    app.config["STORAGE_BACKEND"] = "database"
    assert uploads.path_of(stored.stored_name).read_bytes().startswith(b"%PDF")


def test_a_name_that_is_a_path_is_refused(app) -> None:
    with pytest.raises(ValueError):
        storage.put("uploads", "../secret_key", b"x")
