"""What of the end of the process is sealed when it is published (core/integrity): the decided document and the 解读,
and the earlier versions a revision or a correction replaced.

The document and the 解读 are keyed by their consultation's number, as their public addresses are; an earlier
version by its own row (it is sealed when it is replaced, as it was served). The 解读 seals its title, its four
parts, its figures and its pictures (the files' stored names: a swapped picture shows; their bytes as kind "file");
the decided document its title, 文号, link and file (its bytes too). A revised one also seals its version, its date
and what the editor said changed, so the "修订于" line cannot be rewritten either; a first version's content is as
it was sealed before revisions existed.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consultation.decision.models import (
    DecidedDocument,
    DecidedDocumentVersion,
    Interpretation,
    InterpretationStatus,
)
from consultation.models import Consultation
from core.extensions import db
from core.integrity import SealableKind, register_kind

DOCUMENT = "consultation.decided_document"
INTERPRETATION = "consultation.interpretation"
DOCUMENT_VERSION = "consultation.decided_document.version"
INTERPRETATION_VERSION = "consultation.interpretation.version"
_PARTS = ("title", "background", "goals", "key_measures", "changes")
_FILE = ("title", "number", "url", "filename", "stored_name", "size")


def document_record_content(record: DecidedDocument | DecidedDocumentVersion) -> dict[str, Any]:
    """The document (or an earlier version of it) as the public reads it."""
    content: dict[str, Any] = {name: getattr(record, name) for name in _FILE}
    if (record.version or 1) > 1:
        content["revision"] = (record.version, record.revision_note, _revised_at(record))
    return content


def _revised_at(record: DecidedDocument | DecidedDocumentVersion) -> Any:
    return record.revised_at if isinstance(record, DecidedDocument) else record.published_at


def document_content(subject_id: str) -> dict[str, Any] | None:
    document = db.session.get(DecidedDocument, int(subject_id))
    return document_record_content(document) if document is not None else None


def document_version_content(subject_id: str) -> dict[str, Any] | None:
    record = db.session.get(DecidedDocumentVersion, int(subject_id))
    return document_record_content(record) if record is not None else None


def interpretation_record_content(interpretation: Interpretation) -> dict[str, Any]:
    """One version of the 解读 as the public reads it: texts, figures, pictures (and, revised, what changed)."""
    content: dict[str, Any] = {name: getattr(interpretation, name) for name in _PARTS}
    content["figures"] = [
        (f.position, f.title, f.unit, str(f.kind), list(f.series), f.rows, f.note) for f in interpretation.figures
    ]
    content["images"] = [(i.filename, i.stored_name, i.alt, i.caption) for i in interpretation.images]
    if interpretation.is_revision:
        content["revision"] = (interpretation.version, interpretation.revision_note, interpretation.revised_at)
    return content


def _published_interpretation(subject_id: str) -> Interpretation | None:
    return db.session.scalar(
        db.select(Interpretation).where(
            Interpretation.consultation_id == int(subject_id), Interpretation.status == InterpretationStatus.PUBLISHED
        )
    )


def interpretation_content(subject_id: str) -> dict[str, Any] | None:
    interpretation = _published_interpretation(subject_id)
    return interpretation_record_content(interpretation) if interpretation is not None else None


def interpretation_version_content(subject_id: str) -> dict[str, Any] | None:
    record = db.session.get(Interpretation, int(subject_id))
    if record is None or record.status is not InterpretationStatus.SUPERSEDED:
        return None
    return interpretation_record_content(record)


def _uploads(*stored_names: str) -> list[tuple[str, str]]:
    return [("uploads", name) for name in stored_names if name]


def _document_files(subject_id: str) -> list[tuple[str, str]]:
    document = db.session.get(DecidedDocument, int(subject_id))
    return _uploads(document.stored_name) if document is not None else []


def _document_version_files(subject_id: str) -> list[tuple[str, str]]:
    record = db.session.get(DecidedDocumentVersion, int(subject_id))
    return _uploads(record.stored_name) if record is not None else []


def _interpretation_files(subject_id: str) -> list[tuple[str, str]]:
    interpretation = _published_interpretation(subject_id)
    return _uploads(*(image.stored_name for image in interpretation.images)) if interpretation is not None else []


def _interpretation_version_files(subject_id: str) -> list[tuple[str, str]]:
    record = db.session.get(Interpretation, int(subject_id))
    return _uploads(*(image.stored_name for image in record.images)) if record is not None else []


def _interpretation_row(subject_id: str) -> tuple[Consultation, Interpretation] | None:
    """The row a list of 解读 holds: (its consultation, the published 解读)."""
    interpretation = _published_interpretation(subject_id)
    consultation = db.session.get(Consultation, int(subject_id))
    return (consultation, interpretation) if interpretation is not None and consultation is not None else None


def _department_of(row: tuple[Consultation, Interpretation]) -> list[tuple[str, str]]:
    """Its department's name, shown beside it in every list, the search results and the API: verified with it."""
    return [("department", str(row[0].department_id))]


def _ids(query: Any) -> list[str]:
    return [str(row) for row in db.session.scalars(query)]


def _document_ids() -> list[str]:
    return _ids(db.select(DecidedDocument.consultation_id).order_by(DecidedDocument.consultation_id))


def _interpretation_ids() -> list[str]:
    query = db.select(Interpretation.consultation_id).where(Interpretation.status == InterpretationStatus.PUBLISHED)
    return _ids(query.order_by(Interpretation.consultation_id))


def _document_version_ids() -> list[str]:
    return _ids(db.select(DecidedDocumentVersion.id).order_by(DecidedDocumentVersion.id))


def _interpretation_version_ids() -> list[str]:
    query = db.select(Interpretation.id).where(Interpretation.status == InterpretationStatus.SUPERSEDED)
    return _ids(query.order_by(Interpretation.id))


def _describe(subject_id: str) -> str:
    consultation = db.session.get(Consultation, int(subject_id))
    return consultation.title if consultation is not None else f"consultation {subject_id}"


def _locate(subject_id: str) -> tuple[str, str]:
    consultation = db.session.get(Consultation, int(subject_id))
    return (consultation.department.name if consultation is not None else "", str(_l("Policy interpretations")))


def _fix_url(subject_id: str) -> str:
    return url_for("consultation_manage.overview", consultation_id=int(subject_id))


def _version_owner(model: type[Interpretation] | type[DecidedDocumentVersion]) -> Any:
    """An earlier version is described, located and fixed through its consultation."""

    def consultation_id(subject_id: str) -> str:
        record = db.session.get(model, int(subject_id))
        return str(record.consultation_id) if record is not None else "0"

    return consultation_id


def _version_kind(name: str, model: Any, content: Any, published: Any, files: Any) -> SealableKind:
    owner = _version_owner(model)
    return SealableKind(
        name,
        content,
        published,
        lambda subject_id: _("%(title)s · earlier version", title=_describe(owner(subject_id))),
        lambda subject_id: _fix_url(owner(subject_id)),
        locate=lambda subject_id: _locate(owner(subject_id)),
        files=files,
    )


def init_app(app: Flask) -> None:
    register_kind(
        app,
        SealableKind(
            DOCUMENT, document_content, _document_ids, _describe, _fix_url, locate=_locate, files=_document_files
        ),
    )
    register_kind(
        app,
        SealableKind(
            INTERPRETATION, interpretation_content, _interpretation_ids, _describe, _fix_url, locate=_locate,
            files=_interpretation_files, list_item=_interpretation_row, depends=_department_of,
        ),
    )  # fmt: skip
    register_kind(
        app,
        _version_kind(
            DOCUMENT_VERSION, DecidedDocumentVersion, document_version_content, _document_version_ids,
            _document_version_files,
        ),
    )  # fmt: skip
    register_kind(
        app,
        _version_kind(
            INTERPRETATION_VERSION, Interpretation, interpretation_version_content, _interpretation_version_ids,
            _interpretation_version_files,
        ),
    )  # fmt: skip
