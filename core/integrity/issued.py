"""The register of issued documents (/verify) as a sealable kind: what the public is told is authentic.

A row written into the register by hand (the digest of a forged 征求意见情况说明) would have /verify declare the
forgery authentic; so each entry is sealed when the site issues the document, and /verify answers only from an
entry whose seal holds (a 503 and an alert otherwise).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.integrity.registry import SealableKind, register_kind

KIND = "issued_document"
_FIELDS = ("code", "sha256", "kind", "object_type", "object_id", "format", "version", "source_fingerprint")
_FIELDS += ("issued_at", "issued_by_id", "filename", "size")


def content(subject_id: str) -> dict[str, Any] | None:
    from core.verification import IssuedDocument

    document = db.session.get(IssuedDocument, int(subject_id))
    return {name: getattr(document, name) for name in _FIELDS} if document is not None else None


def _published() -> list[str]:
    from core.verification import IssuedDocument

    return [str(row) for row in db.session.scalars(db.select(IssuedDocument.id).order_by(IssuedDocument.id))]


def _describe(subject_id: str) -> str:
    found = content(subject_id)
    return f"{found['filename']} ({found['code']})" if found is not None else f"issued document {subject_id}"


def _locate(subject_id: str) -> tuple[str, str]:
    return ("", str(_l("Verify a document")))


def init_app(app: Flask) -> None:
    register_kind(app, SealableKind(KIND, content, _published, _describe, locate=_locate, since=2))
