"""Files residents and staff upload: type checked by content, stored outside the web root under random names.

The first bytes only say what a file claims to be: "%PDF" followed by HTML is no PDF. So a file is kept only when
it opens as the type its first bytes claim (a PDF parses, a Word file is a valid package, an image decodes), and it
is always served as a download with nosniff (see the views), never shown inline.
"""

from __future__ import annotations

import io
import secrets
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from wtforms import Field

from core import storage

# What a resident may attach to a comment, and what staff may publish with a notice, by detected type.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "jpg": "image/jpeg",
    "png": "image/png",
}
# Old Word files are OLE compound documents; filetype recognises only some of them, so accept the container.
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


class UploadError(ValueError):
    """A refused file; `code` lets the view choose a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int


def detect_type(data: bytes) -> str | None:
    """The allowed extension the content really is ("pdf", "docx"…), whatever the file was called."""
    kind = filetype.guess(data)
    if kind is not None and kind.extension in ALLOWED_TYPES:
        return str(kind.extension)
    if data.startswith(_OLE_MAGIC):
        return "doc"
    return None


# A larger picture would take a worker seconds and hundreds of MB to decode; no scan or photo needs more.
MAX_IMAGE_PIXELS = 50_000_000
# [Content_Types].xml of a real Word file is a few kB; read no more than this of what a zip says it holds.
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
_WORD_MAIN_PART = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


# Each check below opens untrusted bytes with a parser that raises many kinds of exception for a broken file (and
# may recurse deeply on a crafted one): any exception means the file is not what it claims to be.


def _opens_as_pdf(data: bytes) -> bool:
    from pypdf import PdfReader  # here: only an attachment upload needs it

    try:
        return len(PdfReader(io.BytesIO(data), strict=False).pages) > 0
    except Exception:  # any exception: see above
        return False


def _opens_as_docx(data: bytes) -> bool:
    """A zip package whose content types declare a Word document and that holds it; nothing is decompressed but
    the small content-types part, so a zip bomb costs nothing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            types = package.getinfo("[Content_Types].xml")
            if types.file_size > _MAX_CONTENT_TYPES_BYTES:
                return False
            declared = package.read(types)
            return _WORD_MAIN_PART in declared and "word/document.xml" in package.namelist()
    except Exception:  # any exception: see above
        return False


def _opens_as_doc(data: bytes) -> bool:
    """An OLE compound file that holds the WordDocument stream of a Word 97-2003 file."""
    import olefile  # here: only an attachment upload needs it

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return bool(ole.exists("WordDocument"))
    except Exception:  # any exception: see above
        return False


def _decodes_as_image(expected_format: str) -> Callable[[bytes], bool]:
    def decodes(data: bytes) -> bool:
        from PIL import Image  # here: only an attachment upload (and the captcha) needs it

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    width, height = image.size
                    if image.format != expected_format or width * height > MAX_IMAGE_PIXELS:
                        return False
                    image.load()  # decodes every pixel: a header followed by anything else fails here
            return True
        except Exception:  # any exception: see above
            return False

    return decodes


_OPENS_AS: dict[str, Callable[[bytes], bool]] = {
    "pdf": _opens_as_pdf,
    "docx": _opens_as_docx,
    "doc": _opens_as_doc,
    "jpg": _decodes_as_image("JPEG"),
    "png": _decodes_as_image("PNG"),
}


def safe_display_name(filename: str, extension: str) -> str:
    """The name shown and offered on download: the original stem, the detected extension, no path."""
    stem = PurePath(filename.replace("\\", "/")).stem.strip()[:150] or "attachment"
    return f"{stem}.{extension}"


def store(data: bytes, filename: str) -> StoredFile:
    """Check size and type by content, then write the file under a random name; raises UploadError."""
    if not data:
        raise UploadError("empty")
    if len(data) > current_app.config["CONSULTATION_ATTACHMENT_MAX_BYTES"]:
        raise UploadError("too_large")
    extension = detect_type(data)
    if extension is None:
        raise UploadError("type_not_allowed")
    if not _OPENS_AS[extension](data):
        raise UploadError("damaged")
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    # This host's folder, or the database shared by every host (STORAGE_BACKEND, core/storage.py).
    storage.put("uploads", stored_name, data)
    return StoredFile(safe_display_name(filename, extension), stored_name, ALLOWED_TYPES[extension], len(data))


def path_of(stored_name: str) -> Path:
    """A readable copy of a stored file on this host; the name comes from our database, never from the request."""
    return storage.local_path("uploads", PurePath(stored_name).name)


def remove(stored_name: str) -> None:
    storage.delete("uploads", PurePath(stored_name).name)


def refusal_message(code: str) -> str:
    """The translated reason a file was refused."""
    if code == "too_large":
        limit_mib = current_app.config["CONSULTATION_ATTACHMENT_MAX_BYTES"] // (1024 * 1024)
        return _("The file is larger than %(n)d MB.", n=limit_mib)
    if code == "empty":
        return _("The file is empty.")
    if code == "damaged":
        return _("The file cannot be opened: it is damaged, or it is not the PDF, Word or image file it looks like.")
    return _("Only PDF, Word (.doc, .docx), JPEG and PNG files are accepted.")


def store_form_file(field: Field) -> StoredFile | bool | None:
    """A form's optional file stored; None when none was chosen, False (error set on the field) when refused."""
    file = field.data
    if not isinstance(file, FileStorage) or not file.filename:
        return None
    file.stream.seek(0)  # from its start when a transaction stores it again (core.database.retried_once)
    try:
        return store(file.read(), file.filename)
    except UploadError as error:
        field.errors = [*field.errors, refusal_message(error.code)]
        return False
