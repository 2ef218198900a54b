"""Revising what is already public (docs/rules.md §4.5): a new version of the 解读 written from the published one and
reviewed like the first, and a correction of the decided document; the versions they replace stay readable.

A revision is a row of its own (policy_interpretations, version n + 1) with copies of the texts, figures and
pictures (the files copied too, so removing a picture from the revision leaves the published one whole). While it
is written and reviewed the published version is served unchanged; approved, it replaces it and the one it
replaced is kept as an earlier version, sealed as it was served. The services (services.py, documents.py) call
these steps.

A new version's number is taken by INSERT … ON CONFLICT DO NOTHING (insert_unless_taken): when two editors start
the same revision at the same moment, the second is told the first one's revision exists instead of failing on
the unique (consultation, version) constraint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import make_transient_to_detached

from consultation.decision import sealing
from consultation.decision.models import (
    DecidedDocument,
    DecidedDocumentVersion,
    Interpretation,
    InterpretationFigure,
    InterpretationImage,
    InterpretationStatus,
)
from consultation.drafting import uploads
from core import integrity
from core.db import InsertUnlessTaken
from core.extensions import db
from core.models import User

_TEXTS = ("title", "background", "goals", "key_measures", "changes")


def latest(consultation_id: int) -> Interpretation | None:
    """The newest version: the published one, or the revision being written or reviewed after it."""
    return db.session.scalar(
        db.select(Interpretation)
        .where(Interpretation.consultation_id == consultation_id)
        .order_by(Interpretation.version.desc())
        .limit(1)
    )


def earlier_versions(consultation_id: int) -> list[Interpretation]:
    """The versions revisions replaced, oldest first, that may be served (their seal holds)."""
    rows = db.session.scalars(
        db.select(Interpretation)
        .where(
            Interpretation.consultation_id == consultation_id,
            Interpretation.status == InterpretationStatus.SUPERSEDED,
        )
        .order_by(Interpretation.version)
    )
    return integrity.servable(sealing.INTERPRETATION_VERSION, rows)


def earlier_version(consultation_id: int, version: int) -> Interpretation | None:
    return db.session.scalar(
        db.select(Interpretation).where(
            Interpretation.consultation_id == consultation_id,
            Interpretation.version == version,
            Interpretation.status == InterpretationStatus.SUPERSEDED,
        )
    )


def insert_unless_taken(row: Any) -> bool:
    """Insert a new row (not in the session yet) and add it to the session; False, with nothing else of the
    transaction undone, when a row with the same unique key is there already (PostgreSQL waits for the other
    transaction's commit first). The columns the insert filled by default are read when first used."""
    table = row.__table__
    columns = {attribute.key for attribute in sa_inspect(type(row)).column_attrs}
    values = {key: value for key, value in sa_inspect(row).dict.items() if key in columns}
    row_id = db.session.execute(InsertUnlessTaken(table).returning(table.c.id), values).scalar()
    if row_id is None:
        return False
    row.id = row_id
    make_transient_to_detached(row)
    db.session.add(row)
    return True


def copy_of(published: Interpretation, editor: User) -> Interpretation | None:
    """A new draft version holding the published one's texts, figures and pictures (pictures as new files); None
    when another editor started that version at the same moment."""
    revision = Interpretation(
        consultation_id=published.consultation_id,
        version=published.version + 1,
        status=InterpretationStatus.DRAFT,
        created_by_id=editor.id,
        published_at=published.published_at,  # first published then: the public page keeps that date
        **{name: getattr(published, name) for name in _TEXTS},
    )
    if not insert_unless_taken(revision):
        return None  # before copying any picture: nothing to clean up
    for figure in published.figures:
        revision.figures.append(
            InterpretationFigure(position=figure.position, title=figure.title, unit=figure.unit, kind=figure.kind,
                                 series=list(figure.series), rows=list(figure.rows), note=figure.note)
        )  # fmt: skip
    for image in published.images:
        stored = uploads.store(uploads.path_of(image.stored_name).read_bytes(), image.filename)
        revision.images.append(
            InterpretationImage(filename=image.filename, stored_name=stored.stored_name,
                                content_type=stored.content_type, size=stored.size, alt=image.alt,
                                caption=image.caption, uploaded_by_id=editor.id)
        )  # fmt: skip
    return revision


def changed_parts(revision: Interpretation, published: Interpretation | None) -> list[str]:
    """What a revision changes from the published version: text parts by name, then "figures", "images"."""
    if published is None:
        return []
    before, after = _comparable(published), _comparable(revision)
    return [name for name in (*_TEXTS, "figures", "images") if before[name] != after[name]]


def _comparable(interpretation: Interpretation) -> dict[str, object]:
    # A revision's pictures are copies under new stored names: compare what readers see of them.
    content = sealing.interpretation_record_content(interpretation)
    content["images"] = [(i.filename, i.size, i.alt, i.caption) for i in interpretation.images]
    return content


def discard(revision: Interpretation) -> None:
    """Drop a revision before it is published, with its copied pictures."""
    stored = [image.stored_name for image in revision.images]
    db.session.delete(revision)
    db.session.flush()
    for name in stored:
        uploads.remove(name)


def supersede(published: Interpretation, approver: User, now: datetime) -> None:
    """Keep the version a revision replaces as an earlier version, sealed as it was served."""
    published.status, published.superseded_at = InterpretationStatus.SUPERSEDED, now
    integrity.seal(sealing.INTERPRETATION_VERSION, published.id, approver, reason="supersede")


# ------------------------------------------------------------------------------------------- decided document


def keep_document_version(document: DecidedDocument, user: User, now: datetime) -> DecidedDocumentVersion:
    """The decided document as it is public now, kept (its file too) before a correction replaces it."""
    kept = DecidedDocumentVersion(
        consultation_id=document.consultation_id,
        version=document.version,
        published_at=document.revised_at or document.published_at,
        revision_note=document.revision_note,
        superseded_at=now,
        superseded_by_id=user.id,
        **{name: getattr(document, name) for name in ("title", "number", "url", "filename", "stored_name")},
        content_type=document.content_type,
        size=document.size,
    )
    db.session.add(kept)
    db.session.flush()
    integrity.seal(sealing.DOCUMENT_VERSION, kept.id, user, reason="supersede")
    return kept


def document_versions(consultation_id: int) -> list[DecidedDocumentVersion]:
    """The versions corrections replaced, oldest first, that may be served."""
    rows = db.session.scalars(
        db.select(DecidedDocumentVersion)
        .where(DecidedDocumentVersion.consultation_id == consultation_id)
        .order_by(DecidedDocumentVersion.version)
    )
    return integrity.servable(sealing.DOCUMENT_VERSION, rows)


def document_version(consultation_id: int, version: int) -> DecidedDocumentVersion | None:
    return db.session.scalar(
        db.select(DecidedDocumentVersion).where(
            DecidedDocumentVersion.consultation_id == consultation_id, DecidedDocumentVersion.version == version
        )
    )
