"""The register of issued documents and the public /verify page: each document the site issues is recorded with
its SHA-256 and a short code printed on it, so anyone can check that a copy is authentic and whether the data it
was made from (comments, answers) changed after it was issued."""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import IO, Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import StringField
from wtforms.validators import Length, Optional

from core.db import enum_by_value, utcnow
from core.documents import VerificationMark
from core.extensions import db, limiter
from core.links import site_url
from core.models import User

# No 0/O, 1/I/L or U: a code read aloud or copied by hand from paper survives. 30**8 ≈ 6.6e11 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
SHA_NOTE = "本件签发时已登记SHA-256摘要，上传文件即可逐字节核验"
DEFAULT_RATE_LIMIT = "20 per minute"
DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024  # a 100,000-row summary as PDF is larger than the site-wide upload limit


class DocumentFormat(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"
    ZIP = "zip"


class DocumentVersion(StrEnum):
    """Public and internal versions differ only in the personal data they carry."""

    PUBLIC = "public"
    INTERNAL = "internal"


class IssuedDocument(db.Model):
    __tablename__ = "issued_documents"
    __table_args__ = (Index("ix_issued_documents_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    format: Mapped[DocumentFormat] = mapped_column(enum_by_value(DocumentFormat, 20))
    version: Mapped[DocumentVersion] = mapped_column(enum_by_value(DocumentVersion, 20))
    source_fingerprint: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]

    @property
    def display_code(self) -> str:
        return display_code(self.code)


# ---- codes -------------------------------------------------------------------------------------------------------


def new_code() -> str:
    """A random code (not checked against the register)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """ABCD2345 → ABCD-2345, as printed."""
    return f"{code[:4]}-{code[4:]}"


def normalize_code(text: str) -> str | None:
    """The code a person typed, whatever its case, dashes, spaces or full-width characters; None if it cannot be
    one (so a lookup never runs on junk)."""
    compact = "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if ch.isalnum())
    if len(compact) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in compact):
        return None
    return compact


def reserve_code() -> str:
    """A code no issued document has yet: render the document with it printed, then issue(..., code=code)."""
    while True:
        code = new_code()
        if db.session.scalar(db.select(IssuedDocument.id).where(IssuedDocument.code == code)) is None:
            return code


def verification_mark(code: str) -> VerificationMark:
    """What to print on a document issued under this code, with the /verify address of the configured site."""
    return VerificationMark(display_code(code), site_url("verify.index"), SHA_NOTE)


# ---- register ----------------------------------------------------------------------------------------------------


def fingerprint_of(data: Any) -> str:
    """A SHA-256 over JSON-able data a document is made from, stable across key order; callers may use their own."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def issue(
    kind: str,
    object_type: str,
    object_id: int,
    fmt: DocumentFormat | str,
    version: DocumentVersion | str,
    content: bytes,
    source_fingerprint: str,
    filename: str,
    issued_by: User | None,
    *,
    code: str | None = None,
) -> IssuedDocument:
    """Record the exact bytes handed out (flushes; the caller commits). code: from reserve_code() when the
    document has its code printed on it."""
    if code is not None and normalize_code(code) != code:
        raise ValueError(f"not a verification code: {code!r}")
    document = IssuedDocument(
        code=code or reserve_code(),
        sha256=hashlib.sha256(content).hexdigest(),
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        format=DocumentFormat(fmt),
        version=DocumentVersion(version),
        source_fingerprint=source_fingerprint,
        issued_by_id=issued_by.id if issued_by is not None else None,
        filename=filename,
        size=len(content),
    )
    return register(document, issued_by)


def register(document: IssuedDocument, issued_by: User | None) -> IssuedDocument:
    """Add the entry to the register and seal it (flushes; the caller commits): /verify trusts sealed entries only."""
    from core import integrity

    db.session.add(document)
    db.session.flush()
    integrity.seal("issued_document", document, issued_by, reason="issue")
    return document


def find_by_code(text: str) -> IssuedDocument | None:
    code = normalize_code(text)
    if code is None:
        return None
    return db.session.scalar(db.select(IssuedDocument).where(IssuedDocument.code == code))


def find_by_sha256(digest: str) -> IssuedDocument | None:
    """The latest document issued with these exact bytes (a CSV issued twice unchanged has one digest)."""
    query = db.select(IssuedDocument).where(IssuedDocument.sha256 == digest.lower())
    return db.session.scalar(query.order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc()).limit(1))


def find_by_content(content: bytes) -> IssuedDocument | None:
    return find_by_sha256(hashlib.sha256(content).hexdigest())


def issued_for(object_type: str, object_id: int) -> list[IssuedDocument]:
    """Everything issued for one object, newest first (for the object's staff page)."""
    query = db.select(IssuedDocument).where(
        IssuedDocument.object_type == object_type, IssuedDocument.object_id == object_id
    )
    return list(db.session.scalars(query.order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())))


# ---- what features tell the register -----------------------------------------------------------------------------

FingerprintCallback = Callable[[int], str | None]
DescribeCallback = Callable[[int], tuple[str, str] | None]
_fingerprints: dict[str, FingerprintCallback] = {}
_describers: dict[str, DescribeCallback] = {}


def register_fingerprint(kind: str, callback: FingerprintCallback) -> None:
    """callback(object_id) → the fingerprint of the data as it is now, or None when the object is gone."""
    _fingerprints[kind] = callback


def register_describer(kind: str, callback: DescribeCallback) -> None:
    """callback(object_id) → (title, public url) of the object a document of this kind is about, or None."""
    _describers[kind] = callback


def describe(kind: str, object_id: int) -> tuple[str, str] | None:
    callback = _describers.get(kind)
    return callback(object_id) if callback else None


class Freshness(StrEnum):
    CURRENT = "current"
    CHANGED = "changed"  # comments or answers changed after issue
    GONE = "gone"  # the object it was made from no longer exists
    UNKNOWN = "unknown"  # no feature told us how to tell


def freshness(document: IssuedDocument) -> Freshness:
    callback = _fingerprints.get(document.kind)
    if callback is None:
        return Freshness.UNKNOWN
    current = callback(document.object_id)
    if current is None:
        return Freshness.GONE
    return Freshness.CURRENT if current == document.source_fingerprint else Freshness.CHANGED


# ---- checking a code or a file -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What /verify found. document is None when nothing matched; file_matches is None when no file was given."""

    document: IssuedDocument | None
    file_matches: bool | None
    uploaded_sha256: str | None
    freshness: Freshness | None
    subject: tuple[str, str] | None

    @property
    def authentic(self) -> bool:
        return self.document is not None and self.file_matches is not False


def verify(code: str | None, upload: IO[bytes] | None) -> Verdict:
    """By code, by file, or both (then the file must be the one issued under that code)."""
    digest = hashlib.file_digest(upload, "sha256").hexdigest() if upload is not None else None
    if code:
        document = find_by_code(code)
        file_matches = None if digest is None or document is None else digest == document.sha256
    else:
        document = find_by_sha256(digest) if digest else None
        file_matches = True if document is not None else None
    if document is None:
        return Verdict(None, None, digest, None, None)
    from core import integrity

    integrity.require("issued_document", document.id)  # an entry not written by the site never vouches for a file
    return Verdict(document, file_matches, digest, freshness(document), describe(document.kind, document.object_id))


class VerifyForm(FlaskForm):
    code = StringField(
        _l("Verification code"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )
    document = FileField(_l("Or the document file itself"))

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.code.data or "").strip() and not self.document.data:
            self.code.errors.append(_l("Enter the code printed on the document, or choose the file."))
            return False
        return True


bp = Blueprint("verify", __name__, url_prefix="/verify")


@bp.url_value_preprocessor
def _allow_large_documents(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # A URL value preprocessor runs before every before_request hook, in particular before the CSRF check, which
    # reads the form and would otherwise refuse a large summary under the site-wide MAX_CONTENT_LENGTH.
    request.max_content_length = current_app.config.get("VERIFY_MAX_UPLOAD", DEFAULT_MAX_UPLOAD)


def _rate_limit() -> str:
    return current_app.config.get("VERIFY_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def _just_the_form() -> bool:
    return request.method == "GET" and not request.args.get("code")


@bp.route("", methods=["GET", "POST"])
@limiter.limit(_rate_limit, exempt_when=_just_the_form)
def index() -> Any:
    form = VerifyForm()
    verdict = None
    if form.validate_on_submit():
        upload = form.document.data
        verdict = verify((form.code.data or "").strip(), upload.stream if upload else None)
    elif request.method == "GET" and request.args.get("code"):  # the QR code printed on a document leads here
        form.code.data = request.args["code"]
        verdict = verify(request.args["code"], None)
    return render_template("verify/verify.html", form=form, verdict=verdict, Freshness=Freshness)
