"""What of the end of the process is sealed when it is published (core/integrity): the decided document and the 解读.

Both are keyed by their consultation's number, as their public addresses are. The 解读 seals its title, its four
parts, its figures and its pictures (the files' stored names: a swapped picture shows); the decided document its
title, 文号, link and file.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from consultation.decision.models import DecidedDocument, Interpretation, InterpretationStatus
from consultation.models import Consultation
from core.extensions import db
from core.integrity import SealableKind, register_kind

DOCUMENT = "consultation.decided_document"
INTERPRETATION = "consultation.interpretation"
_PARTS = ("title", "background", "goals", "key_measures", "changes")


def document_content(subject_id: str) -> dict[str, Any] | None:
    document = db.session.get(DecidedDocument, int(subject_id))
    if document is None:
        return None
    return {name: getattr(document, name) for name in ("title", "number", "url", "filename", "stored_name", "size")}


def _published_interpretation(subject_id: str) -> Interpretation | None:
    return db.session.scalar(
        db.select(Interpretation).where(
            Interpretation.consultation_id == int(subject_id), Interpretation.status == InterpretationStatus.PUBLISHED
        )
    )


def interpretation_content(subject_id: str) -> dict[str, Any] | None:
    interpretation = _published_interpretation(subject_id)
    if interpretation is None:
        return None
    content: dict[str, Any] = {name: getattr(interpretation, name) for name in _PARTS}
    content["figures"] = [
        (f.position, f.title, f.unit, str(f.kind), list(f.series), f.rows, f.note) for f in interpretation.figures
    ]
    content["images"] = [(i.filename, i.stored_name, i.alt, i.caption) for i in interpretation.images]
    return content


def _document_ids() -> list[str]:
    return [
        str(row)
        for row in db.session.scalars(
            db.select(DecidedDocument.consultation_id).order_by(DecidedDocument.consultation_id)
        )
    ]


def _interpretation_ids() -> list[str]:
    query = db.select(Interpretation.consultation_id).where(Interpretation.status == InterpretationStatus.PUBLISHED)
    return [str(row) for row in db.session.scalars(query.order_by(Interpretation.consultation_id))]


def _describe(subject_id: str) -> str:
    consultation = db.session.get(Consultation, int(subject_id))
    return consultation.title if consultation is not None else f"consultation {subject_id}"


def _locate(subject_id: str) -> tuple[str, str]:
    consultation = db.session.get(Consultation, int(subject_id))
    return (consultation.department.name if consultation is not None else "", str(_l("Policy interpretations")))


def _fix_url(subject_id: str) -> str:
    return url_for("consultation_decision_manage.overview", consultation_id=int(subject_id))


def init_app(app: Flask) -> None:
    register_kind(app, SealableKind(DOCUMENT, document_content, _document_ids, _describe, _fix_url, locate=_locate))
    register_kind(
        app,
        SealableKind(INTERPRETATION, interpretation_content, _interpretation_ids, _describe, _fix_url, locate=_locate),
    )
