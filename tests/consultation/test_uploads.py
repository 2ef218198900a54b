"""Attachments are kept only when their whole content is the type their first bytes claim, and are always served as
downloads the browser may not sniff: a file that starts with %PDF but holds HTML and script never reaches anyone."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from docx import Document
from PIL import Image
from pypdf import PdfWriter

from consultation.drafting import uploads
from consultation.models import ConsultationAttachment, ConsultationStatus, SecrecyResult
from core.db import utcnow
from core.extensions import db
from core.models import Role
from tests.consultation.conftest import make_consultation
from tests.factories import make_department

pytestmark = pytest.mark.usefixtures("known_holiday_calendars")
EN = {"Accept-Language": "en"}
WORD_MAIN_PART = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _docx() -> bytes:
    document = Document()
    document.add_paragraph("附件：征求意见汇总表")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, fmt)
    return buffer.getvalue()


def _word_97(stream_size: int = 4096) -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) holding one WordDocument stream: sector 0 the
    allocation table, sector 1 the directory, then the stream."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    stream_sectors = stream_size // 512
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, bytes(6), 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<I", 0) + struct.pack("<I", free) * 108
    chain = [fat_sector, end, *range(3, 2 + stream_sectors), end]
    fat = struct.pack(f"<{len(chain)}I", *chain) + struct.pack("<I", free) * (128 - len(chain))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(encoded), kind, 1, no_stream, no_stream, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, 1, end, 0) + entry("WordDocument", 2, no_stream, 2, stream_size)
    directory += entry("", 0, no_stream, 0, 0) * 2
    return header + fat + directory + b"\x00" * stream_size


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, extension",
    [(_pdf(), "pdf"), (_docx(), "docx"), (_word_97(), "doc"), (_image("PNG"), "png"), (_image("JPEG"), "jpg")],
    ids=["pdf", "docx", "doc", "png", "jpeg"],
)
def test_genuine_files_of_every_accepted_type_are_kept(app, tmp_path, data, extension):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    with app.test_request_context():
        stored = uploads.store(data, f"附件.{extension}")
    assert stored.filename == f"附件.{extension}"
    assert (tmp_path / stored.stored_name).read_bytes() == data


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + SCRIPT,
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + SCRIPT + b"\n%%EOF",
        _image("PNG")[:33] + SCRIPT,  # a picture's header, then HTML
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + SCRIPT,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + SCRIPT,
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": SCRIPT}),  # declares no Word document
        _zip({"[Content_Types].xml": WORD_MAIN_PART, "index.html": SCRIPT}),  # and holds none
    ],
    ids=[
        "pdf-then-html",
        "pdf-without-pages",
        "png-then-html",
        "jpeg-then-html",
        "ole-then-html",
        "zip-no-type",
        "zip-no-document",
    ],
)
def test_a_file_whose_first_bytes_lie_about_the_rest_is_refused(app, tmp_path, data):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    with app.test_request_context(), pytest.raises(uploads.UploadError) as refused:
        uploads.store(data, "通知.pdf")
    assert refused.value.code in ("damaged", "type_not_allowed")
    assert list(tmp_path.iterdir()) == []


def test_a_picture_too_large_to_decode_in_a_moment_is_refused(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG")  # 60 megapixels in a few kB
    with app.test_request_context(), pytest.raises(uploads.UploadError) as refused:
        uploads.store(buffer.getvalue(), "扫描件.png")
    assert refused.value.code == "damaged"


def test_html_named_pdf_is_refused_as_a_notice_attachment_with_the_reason(app, client, auth, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    department = make_department()
    consultation = make_consultation(department, status=ConsultationStatus.DRAFT)
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    response = client.post(
        f"/manage/consultations/{consultation.id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.7\n" + SCRIPT), "通知.pdf")},
        content_type="multipart/form-data",
        headers=EN,
        follow_redirects=True,
    )
    assert "The file cannot be opened: it is damaged, or it is not the PDF" in response.text
    assert db.session.scalars(db.select(ConsultationAttachment)).all() == []
    assert list(tmp_path.iterdir()) == []


def test_a_notice_attachment_is_served_as_a_download_the_browser_may_not_sniff(app, client, auth, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    department = make_department()
    consultation = make_consultation(department, status=ConsultationStatus.DRAFT)
    db.session.commit()
    auth.login_as(Role.EDITOR, department)
    client.post(
        f"/manage/consultations/{consultation.id}/attachments",
        data={"file": (io.BytesIO(_pdf()), "征求意见稿.pdf")},
        content_type="multipart/form-data",
    )
    [attachment] = db.session.scalars(db.select(ConsultationAttachment)).all()
    consultation.status, consultation.secrecy_result = ConsultationStatus.SCHEDULED, SecrecyResult.CLEARED
    consultation.secrecy_reviewed_at = utcnow()
    db.session.commit()
    auth.logout()
    with client.get(f"/consultations/{consultation.id}/attachments/{attachment.id}") as download:
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.data == (tmp_path / attachment.stored_name).read_bytes()
