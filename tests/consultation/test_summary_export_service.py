"""One export service for the summary: the download, the CLI and the packet all go through
consultation.summary.exports.export, which builds the summary data once and picks the writer by format."""

from __future__ import annotations

import io
import zipfile

import pytest

from consultation.summary import data as summary_data
from consultation.summary import exports as summary_exports
from consultation.summary import packet as summary_packet
from core.audit import AuditEvent
from core.extensions import db
from core.verification import DocumentFormat, DocumentVersion, IssuedDocument
from tests.consultation.summary_helpers import download, handled_consultation

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
SUMMARY_FORMATS = ("docx", "pdf", "xlsx", "csv", "json")


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """The versions the summary data was built for, in order, wherever it was built."""
    built: list[str] = []
    real = summary_data.build_summary

    def counting(consultation, version):
        built.append(DocumentVersion(version).value)
        return real(consultation, version)

    monkeypatch.setattr(summary_data, "build_summary", counting)
    monkeypatch.setattr(summary_packet, "build_summary", counting)
    return built


@pytest.mark.parametrize("fmt", SUMMARY_FORMATS)
def test_each_download_builds_the_summary_once_and_registers_what_was_sent(client, auth, builds, fmt):
    handled = handled_consultation()
    db.session.commit()
    auth.login(handled.editor.email)
    url = f"/manage/consultations/{handled.consultation.id}/summary.{fmt}?version=internal"
    response = download(client, url)
    assert response.status_code == 200
    assert builds == ["internal"]
    document = db.session.scalars(db.select(IssuedDocument).where(IssuedDocument.format == DocumentFormat(fmt))).one()
    assert document.size == len(response.data) and document.version is DocumentVersion.INTERNAL
    assert document.issued_by_id == handled.editor.id


def test_the_packet_issues_its_three_summary_files_from_one_summary(client, auth, builds):
    handled = handled_consultation()
    db.session.commit()
    auth.login(handled.editor.email)
    response = download(client, f"/manage/consultations/{handled.consultation.id}/packet.zip")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names[:3] == [
        "01-征求意见情况说明（内部版）.docx",
        "02-征求意见情况说明（内部版）.pdf",
        "03-意见采纳情况表（内部版）.xlsx",
    ]
    assert builds == ["internal"]
    issued = db.session.scalars(db.select(IssuedDocument).order_by(IssuedDocument.id)).all()
    assert [document.format.value for document in issued] == ["docx", "pdf", "xlsx", "zip"]
    assert len({document.source_fingerprint for document in issued}) == 1


def test_the_cli_export_goes_through_the_same_service_and_is_audited_as_cli(app, builds, tmp_path):
    handled = handled_consultation()
    db.session.commit()
    output = tmp_path / "table.csv"
    args = ["consultation", "export", str(handled.consultation.id), "--format", "csv", "-o", str(output), "--bom"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert builds == ["public"]
    assert output.read_bytes().startswith("\ufeff".encode())
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "consultation.summary_export")).one()
    assert event.detail["via"] == "cli" and event.detail["what"] == "table" and event.detail["bom"] is True


def test_a_format_that_is_not_the_summary_is_refused(app):
    handled = handled_consultation()
    with app.test_request_context(), pytest.raises(ValueError, match="not a summary format"):
        summary_exports.export(handled.consultation, DocumentFormat.ZIP, DocumentVersion.INTERNAL, None)
