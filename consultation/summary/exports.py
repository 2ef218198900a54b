"""Issuing the summary: `export(consultation, format, version, user)` is the one way a 征求意见情况说明 or an
意见采纳情况表 leaves the site — the staff download, the worker's job, `flask consultation export` and the
legality packet all come through it. It reserves a verification code, builds the summary data once, picks the
writer for the format, registers the SHA-256 of the exact bytes with a fingerprint of the comments and answers,
and audits who took it.

Word, PDF and xlsx are finished (into a spooled file) before they are handed out. CSV and JSON stream: their
digest is taken while the bytes go out, and they are registered and audited when the last byte has gone, so a
stream that breaks off is never registered. Under a WSGI server the chunks are iterated after the view has
returned and the request's session has closed (Flask's stream_with_context pushes the contexts again, with a
session of their own): everything a stream needs from the request is read before it starts, and it reloads the
consultation and the user by id.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import IO, Any

from flask import current_app

from consultation.models import Consultation
from consultation.summary import data as summary_data
from consultation.summary import document as summary_document
from consultation.summary import tables as summary_tables
from consultation.summary.data import KIND, OBJECT_TYPE, Summary
from core import audit, verification
from core.documents import VerificationMark
from core.exports import XLSX_SPOOL_BYTES, write_xlsx
from core.extensions import db
from core.models import User
from core.verification import (
    DocumentFormat,
    DocumentVersion,
    IssuedDocument,
    display_code,
    reserve_code,
    verification_mark,
)

MIMETYPES = {
    DocumentFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentFormat.CSV: "text/csv; charset=utf-8",
    DocumentFormat.JSON: "application/json",
    DocumentFormat.ZIP: "application/zip",
}
_BASENAMES = {
    DocumentFormat.DOCX: "征求意见情况说明",
    DocumentFormat.PDF: "征求意见情况说明",
    DocumentFormat.XLSX: "意见采纳情况表",
    DocumentFormat.CSV: "意见采纳情况表",
    DocumentFormat.JSON: "征求意见情况",
    DocumentFormat.ZIP: "合法性审查送审材料",
}
HASH_CHUNK = 1024 * 1024


def filename(consultation: Consultation, fmt: DocumentFormat, version: DocumentVersion, code: str) -> str:
    suffix = "内部版" if version is DocumentVersion.INTERNAL else "公开版"
    if fmt is DocumentFormat.ZIP:
        suffix = "送审"
    return f"{_BASENAMES[fmt]}（{suffix}）-{consultation.id}-{display_code(code)}.{fmt.value}"


def record_export(
    consultation: Consultation, what: str, fmt: str, version: str, actor: User | None, code: str = "", **extra: Any
) -> None:
    """Who took which export: every internal one must be traceable, and public ones are recorded too."""
    detail = {"what": what, "format": fmt, "version": version, "via": "web" if actor is not None else "cli"}
    if code:
        detail["code"] = display_code(code)
    audit.record("consultation.summary_export", consultation, detail=detail | extra, actor=actor)


def register(
    consultation: Consultation,
    fmt: DocumentFormat,
    version: DocumentVersion,
    *,
    code: str,
    sha256: str,
    size: int,
    fingerprint: str,
    name: str,
    issued_by: User | None,
) -> IssuedDocument:
    """Register a file by its digest (core.verification.issue wants the bytes, which a streamed or spooled file
    never has all at once); flushes, the caller commits."""
    document = IssuedDocument(
        code=code,
        sha256=sha256,
        kind=KIND,
        object_type=OBJECT_TYPE,
        object_id=consultation.id,
        format=fmt,
        version=version,
        source_fingerprint=fingerprint,
        issued_by_id=issued_by.id if issued_by is not None else None,
        filename=name,
        size=size,
    )
    return verification.register(document, issued_by)


def digest_of(stream: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of a file object's whole content, read in blocks; leaves it at position 0."""
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    while block := stream.read(HASH_CHUNK):
        digest.update(block)
        size += len(block)
    stream.seek(0)
    return digest.hexdigest(), size


@dataclass
class IssuedFile:
    """A finished, registered file, spooled (in memory while small, on disk beyond), at position 0."""

    document: IssuedDocument
    filename: str
    mimetype: str
    stream: IO[bytes]

    @cached_property
    def content(self) -> bytes:
        """The whole file in memory, its spool closed: for a small download, the worker's job and the packet."""
        with self.stream:
            return self.stream.read()

    def copy_to(self, handle: IO[bytes]) -> None:
        with self.stream:
            shutil.copyfileobj(self.stream, handle)


@dataclass
class Stream:
    """A CSV or JSON export on its way out: iterate `chunks`; the file is registered after the last chunk."""

    code: str
    filename: str
    mimetype: str
    chunks: Iterator[bytes]


# ------------------------------------------------------------------------------------------------ the writers

# A finished format writes the whole file into an open binary file; a streamed one gives its bytes as chunks.
Write = Callable[[Summary, DocumentFormat, VerificationMark, IO[bytes]], None]
Chunks = Callable[[Summary, VerificationMark, bool], Iterator[bytes]]


def _write_document(summary: Summary, fmt: DocumentFormat, mark: VerificationMark, out: IO[bytes]) -> None:
    out.write(summary_document.render(summary, fmt, mark))


def _write_workbook(summary: Summary, fmt: DocumentFormat, mark: VerificationMark, out: IO[bytes]) -> None:
    write_xlsx(out, summary_tables.sheets(summary, mark))  # in constant memory


def _csv_chunks(summary: Summary, mark: VerificationMark, bom: bool) -> Iterator[bytes]:
    return summary_tables.csv_chunks(summary, bom=bom)  # the verification code is in the file's name


def _json_chunks(summary: Summary, mark: VerificationMark, bom: bool) -> Iterator[bytes]:
    return summary_tables.json_chunks(summary, mark)


# Per format: what the audit log calls it (the document or the table) and its writer.
_FINISHED: dict[DocumentFormat, tuple[str, Write]] = {
    DocumentFormat.DOCX: ("summary", _write_document),
    DocumentFormat.PDF: ("summary", _write_document),
    DocumentFormat.XLSX: ("table", _write_workbook),
}
_STREAMED: dict[DocumentFormat, tuple[str, Chunks]] = {
    DocumentFormat.CSV: ("table", _csv_chunks),
    DocumentFormat.JSON: ("summary", _json_chunks),
}
FORMATS = (*_FINISHED, *_STREAMED)


def export(
    consultation: Consultation,
    fmt: DocumentFormat,
    version: DocumentVersion,
    user: User | None,
    *,
    bom: bool = False,
    summary: Summary | None = None,
) -> IssuedFile | Stream:
    """The summary of `consultation` in one format, built once and written by the format's writer: a finished
    file, registered and audited now (flushes, the caller commits), or a CSV/JSON stream, registered and audited
    by itself once sent in full. `summary`: one already built for this version (the packet issues three files
    from one); `bom`: CSV only, a UTF-8 byte-order mark for Excel."""
    if fmt not in FORMATS:
        raise ValueError(f"not a summary format: {fmt}")
    if summary is None:
        summary = summary_data.build_summary(consultation, version)
    code = reserve_code()
    name = filename(consultation, fmt, version, code)
    if fmt in _STREAMED:
        return _stream(summary, fmt, code, name, user, bom)
    return _finish(summary, fmt, code, name, user)


def _finish(summary: Summary, fmt: DocumentFormat, code: str, name: str, user: User | None) -> IssuedFile:
    what, write = _FINISHED[fmt]
    spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
    try:
        write(summary, fmt, verification_mark(code), spool)
        sha256, size = digest_of(spool)
    except BaseException:
        spool.close()
        raise
    consultation, version = summary.consultation, summary.version
    document = register(
        consultation, fmt, version, code=code, sha256=sha256, size=size, fingerprint=summary.fingerprint,
        name=name, issued_by=user,
    )  # fmt: skip
    record_export(consultation, what, fmt.value, version.value, user, code)
    return IssuedFile(document, name, MIMETYPES[fmt], spool)


def export_to_file(
    consultation: Consultation, fmt: DocumentFormat, version: DocumentVersion, handle: IO[bytes], *, bom: bool = False
) -> IssuedDocument:
    """Write one format to an open file (the CLI): issued with nobody as issuer, audited as a CLI export."""
    exported = export(consultation, fmt, version, None, bom=bom)
    if isinstance(exported, IssuedFile):
        exported.copy_to(handle)
        return exported.document
    for chunk in exported.chunks:  # registered and audited after the last chunk, as a download is
        handle.write(chunk)
    return db.session.scalars(db.select(IssuedDocument).where(IssuedDocument.code == exported.code)).one()


# ------------------------------------------------------------------------------------------------ streams


@dataclass(frozen=True)
class _Pending:
    """What registering and auditing a streamed file takes, as plain values: a download's chunks are iterated
    after the view has returned and its session has closed, so they may hold no object loaded in the request."""

    consultation_id: int
    fmt: DocumentFormat
    version: DocumentVersion
    code: str
    name: str
    user_id: int | None
    what: str
    extra: dict[str, Any]


def _stream(summary: Summary, fmt: DocumentFormat, code: str, name: str, user: User | None, bom: bool) -> Stream:
    """Start a CSV or JSON export; registered and audited when it has been sent in full (writes nothing now)."""
    what, chunks = _STREAMED[fmt]
    extra: dict[str, Any] = {"bom": bom} if fmt is DocumentFormat.CSV else {}
    user_id = user.id if user is not None else None
    pending = _Pending(summary.consultation.id, fmt, summary.version, code, name, user_id, what, extra)
    return Stream(code, name, MIMETYPES[fmt], _registering(chunks(summary, verification_mark(code), bom), pending))


def _registering(chunks: Iterator[bytes], pending: _Pending) -> Iterator[bytes]:
    """Pass the chunks on, hashing them; once the last one has been handed over, register the file and audit it in
    one transaction. A stream that breaks off (the client left, an error) is never registered; its audit event says
    it was not complete, so an internal export is traced however far it got."""
    digest, size = hashlib.sha256(), 0
    try:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            yield chunk
    except BaseException:
        _record_broken_off(chunks, pending)
        raise
    # Before the server sends the end of the body: if this fails, the client sees a broken download, not a whole
    # file that /verify does not know.
    consultation, user = _reload(pending)
    register(
        consultation, pending.fmt, pending.version, code=pending.code, sha256=digest.hexdigest(), size=size,
        fingerprint=summary_data.source_fingerprint(pending.consultation_id) or "", name=pending.name, issued_by=user,
    )  # fmt: skip
    record_export(
        consultation, pending.what, pending.fmt.value, pending.version.value, user, pending.code, **pending.extra
    )
    db.session.commit()


def _reload(pending: _Pending) -> tuple[Consultation, User | None]:
    """The consultation and the user in the session the stream runs in."""
    consultation = db.session.get(Consultation, pending.consultation_id)
    if consultation is None:
        raise LookupError(f"consultation {pending.consultation_id} was deleted during its export")
    user = db.session.get(User, pending.user_id) if pending.user_id is not None else None
    return consultation, user


def _record_broken_off(chunks: Iterator[bytes], pending: _Pending) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        close()  # ends the row query (a server-side cursor on PostgreSQL) before the session writes
    try:
        db.session.rollback()
        consultation, user = _reload(pending)
        extra = pending.extra | {"complete": False}
        record_export(consultation, pending.what, pending.fmt.value, pending.version.value, user, **extra)
        db.session.commit()
    except Exception:  # the break-off itself is what the server reports; a failed audit must not replace it
        db.session.rollback()
        current_app.logger.exception("could not audit a broken-off summary export")


# ------------------------------------------------------------------------------------------------ reply list


def reply_list(consultation: Consultation, user: User | None, fmt: DocumentFormat) -> tuple[str, Any]:
    """The internal reply list (names, phones, e-mails) as (filename, Sheet) for xlsx or CSV; audited, not issued."""
    summary = summary_data.build_summary(consultation, DocumentVersion.INTERNAL)
    record_export(consultation, "reply_list", fmt.value, DocumentVersion.INTERNAL.value, user)
    return f"答复联系名单（内部）-{consultation.id}.{fmt.value}", summary_tables.reply_sheet(summary)
