"""Files residents and staff upload: type checked by content, stored outside the web root under random names."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from wtforms import Field

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


def upload_folder() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def detect_type(data: bytes) -> str | None:
    """The allowed extension the content really is ("pdf", "docx"…), whatever the file was called."""
    kind = filetype.guess(data)
    if kind is not None and kind.extension in ALLOWED_TYPES:
        return str(kind.extension)
    if data.startswith(_OLE_MAGIC):
        return "doc"
    return None


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
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    path = upload_folder() / stored_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return StoredFile(safe_display_name(filename, extension), stored_name, ALLOWED_TYPES[extension], len(data))


def path_of(stored_name: str) -> Path:
    """Where a stored file lives; the name comes from our database, never from the request."""
    return upload_folder() / PurePath(stored_name).name


def remove(stored_name: str) -> None:
    path_of(stored_name).unlink(missing_ok=True)


def refusal_message(code: str) -> str:
    """The translated reason a file was refused."""
    if code == "too_large":
        limit_mib = current_app.config["CONSULTATION_ATTACHMENT_MAX_BYTES"] // (1024 * 1024)
        return _("The file is larger than %(n)d MB.", n=limit_mib)
    if code == "empty":
        return _("The file is empty.")
    return _("Only PDF, Word (.doc, .docx), JPEG and PNG files are accepted.")


def store_form_file(field: Field) -> StoredFile | bool | None:
    """A form's optional file stored; None when none was chosen, False (error set on the field) when refused."""
    file = field.data
    if not isinstance(file, FileStorage) or not file.filename:
        return None
    try:
        return store(file.read(), file.filename)
    except UploadError as error:
        field.errors = [*field.errors, refusal_message(error.code)]
        return False
