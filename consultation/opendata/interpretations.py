"""Open data of the decided policies: their 政策解读 and decided documents in the JSON API, an Atom feed of the 解读
as they are published, and what site search finds of them.

Only what the public pages show: a 解读 once approved, its decided document, with personal data masked as on the
page; the names of the staff who wrote or approved it are never part of it. A revised 解读 is served in its
current version, with when it was revised, what changed and where its earlier versions are read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, Response, abort, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy import and_, or_, select

from consultation import blueprints, labels
from consultation.decision import chain, revisions, sealing, services
from consultation.decision.labels import SECTION_LABELS
from consultation.decision.models import DecidedDocument, Interpretation, InterpretationStatus
from consultation.drafting import services as drafting
from consultation.handling.feedback import PUBLISHED_STATUSES
from consultation.models import Consultation
from consultation.opendata import api as consultation_api
from core import integrity, search_index
from core.api import (
    ERROR_RESPONSES,
    ID,
    NOT_FOUND,
    PAGE_PARAMETERS,
    Url,
    cached_json,
    component_schemas,
    document_paths,
    ok,
    paged_list,
    paged_schema,
    path_id,
    ref,
    timestamp,
)
from core.extensions import db
from core.feeds import FEED_LENGTH, FeedEntry, atom_feed, cached_feed, excerpt, site_name
from core.i18n import current_language, local_datetime
from core.links import site_url
from core.routing import Routes
from core.search import MAX_CANDIDATES, Document, Provider, any_contains, register_search_provider
from core.search import Field as SearchField
from core.search_index import IndexedKind, Watch
from core.search_query import Criteria, Term


class DecidedDocumentOut(BaseModel):
    """The document the decision-making body issued, as published on the site."""

    title: str
    number: str = Field(description="文号; empty when it has none.")
    url: Url = Field(description="Its public page here, which links the draft, the feedback and the 解读.")
    file_url: Url | None = Field(description="The uploaded file, when there is one.")
    external_url: str = Field(description="Where it is published elsewhere; empty when not given.")
    published_at: datetime = Field(description="When it was first published.")
    revised_at: datetime | None = Field(description="When it was last corrected; null if never.")
    revision_note: str = Field(description="What the last correction changed; empty if never corrected.")


class FigureOut(BaseModel):
    title: str
    unit: str
    series: list[str]
    rows: list[tuple[str, list[float]]]
    note: str


class InterpretationVersionOut(BaseModel):
    """An earlier version of a 解读 that a revision replaced, still readable on its page."""

    version: int
    url: Url
    published_at: datetime = Field(description="When this version went public.")
    superseded_at: datetime
    revision_note: str = Field(description="What this version had changed from the one before; empty for the first.")


class InterpretationOut(BaseModel):
    """A published 政策解读 of a decided policy, in its current version."""

    consultation_id: int
    title: str
    department: str
    published_at: datetime = Field(description="When it was first published.")
    version: int
    revised_at: datetime | None = Field(description="When the current version replaced the one before; null if never.")
    revision_note: str = Field(description="What the current version changed; empty for the first version.")
    earlier_versions: list[InterpretationVersionOut]
    url: Url
    consultation_url: Url
    feedback_url: Url | None
    document: DecidedDocumentOut
    background: str
    goals: str
    key_measures: str
    changes: str
    figures: list[FigureOut]


SCHEMAS = component_schemas(InterpretationOut)
_ID = path_id("consultation_id", "The consultation's number, as in its public address.")
PATHS: dict[str, Any] = {
    "/interpretations": {
        "get": {
            "operationId": "listInterpretations",
            "summary": "Published policy interpretations (政策解读) of decided policies, the most recent first",
            "parameters": PAGE_PARAMETERS,
            "responses": {**ok("A page of interpretations.", paged_schema("InterpretationOut")), **ERROR_RESPONSES},
        }
    },
    "/consultations/{consultation_id}/interpretation": {
        "get": {
            "operationId": "getInterpretation",
            "summary": "The published interpretation of a decided consultation, with its decided document",
            "parameters": [_ID],
            "responses": {**ok("The interpretation.", ref("InterpretationOut")), **NOT_FOUND, **ERROR_RESPONSES},
        }
    },
}

api = consultation_api.bp  # the feature's one API blueprint; these paths join its OpenAPI document
document_paths(api, PATHS, SCHEMAS)
feeds = Routes(blueprints.public)


def _document(consultation: Consultation, document: DecidedDocument) -> dict[str, Any]:
    ident = {"consultation_id": consultation.id}
    return {
        "title": document.title,
        "number": document.number,
        "url": site_url("consultation.document", **ident),
        "file_url": site_url("consultation.document_file", **ident) if document.is_file else None,
        "external_url": document.url,
        "published_at": timestamp(document.published_at),
        "revised_at": timestamp(document.revised_at) if document.revised_at else None,
        "revision_note": chain.masked(document.revision_note, chain.public_contacts(consultation)),
    }


def _earlier(consultation: Consultation, record: Interpretation) -> dict[str, Any]:
    return {
        "version": record.version,
        "url": site_url("consultation.interpretation_version", consultation_id=consultation.id,
                        version=record.version),
        "published_at": timestamp(record.revised_at or record.published_at),
        "superseded_at": timestamp(record.superseded_at),
        "revision_note": chain.masked(record.revision_note, chain.public_contacts(consultation)),
    }  # fmt: skip


def _interpretation(consultation: Consultation, interpretation: Interpretation) -> dict[str, Any]:
    ident = {"consultation_id": consultation.id}
    steps = {step.kind: step for step in chain.public_steps(consultation)}
    keep = chain.public_contacts(consultation)
    document = services.document_of(consultation)
    assert document is not None
    return {
        "consultation_id": consultation.id,
        "title": interpretation.title,
        "department": consultation.department.name,
        "published_at": timestamp(interpretation.published_at),
        "version": interpretation.version,
        "revised_at": timestamp(interpretation.revised_at) if interpretation.revised_at else None,
        "revision_note": chain.masked(interpretation.revision_note, keep),
        "earlier_versions": [_earlier(consultation, record) for record in revisions.earlier_versions(consultation.id)]
        if interpretation.is_revision
        else [],
        "url": site_url("consultation.interpretation", **ident),
        "consultation_url": site_url("consultation.detail", **ident),
        "feedback_url": site_url("consultation.feedback", **ident) if steps["feedback"].url else None,
        "document": _document(consultation, document),
        **{name: chain.masked(getattr(interpretation, name), keep) for name in services.SECTIONS},
        "figures": [
            {"title": f.title, "unit": f.unit, "series": list(f.series), "rows": f.rows, "note": f.note}
            for f in interpretation.figures
        ],
    }


@api.route("/interpretations")
def interpretations() -> Response:
    return cached_json("api-interpretations", _list)


def _list() -> dict[str, Any]:
    rows = chain.published_interpretations()
    return paged_list(rows, lambda page: [_interpretation(c, i) for c, i in page])


@api.route(f"/consultations/<{ID}:consultation_id>/interpretation")
def interpretation(consultation_id: int) -> Response:
    return cached_json("api-interpretation", lambda: _one(consultation_id))


def _one(consultation_id: int) -> dict[str, Any]:
    consultation = drafting.published_consultation(consultation_id) or abort(404)
    record = chain.published_interpretation(consultation.id) or abort(404)
    integrity.require(sealing.INTERPRETATION, consultation.id)
    integrity.require(sealing.DOCUMENT, consultation.id)
    return _interpretation(consultation, record)


@feeds.route("/interpretations/feed.atom")
def feed() -> Response:
    """Policy interpretations as they are published, the most recent first."""
    return cached_feed("feed-interpretations", "consultation.interpretations", _feed)


def _feed(page_url: str, feed_url: str) -> str:
    entries = [
        FeedEntry(
            title=interpretation.title,
            link=site_url("consultation.interpretation", consultation_id=consultation.id),
            updated=interpretation.revised_at or interpretation.published_at,
            author=consultation.department.display_name(current_language()),
            summary=excerpt(_summary(consultation, interpretation)),
        )
        for consultation, interpretation in chain.published_interpretations(limit=FEED_LENGTH)
        if interpretation.published_at is not None
    ]
    return atom_feed(
        title=_("Policy interpretations · %(site)s", site=site_name()),
        subtitle=_("What the decided policies say and what changed from the draft after the public's comments."),
        page_url=page_url,
        feed_url=feed_url,
        entries=entries,
    )


def _summary(consultation: Consultation, interpretation: Interpretation) -> str:
    """The start of the background; a revised 解读 first says when it was revised and what changed."""
    keep = chain.public_contacts(consultation)
    background = chain.masked(interpretation.background, keep)
    if interpretation.revised_at is None:
        return background
    revised = _("Revised %(day)s", day=local_datetime(interpretation.revised_at, "yyyy-MM-dd"))
    return f"{revised}: {chain.masked(interpretation.revision_note, keep)} {background}"


def find_interpretations(criteria: Criteria) -> list[Document]:
    """Published 解读 containing every term in the title, a part, or the decided document's title."""
    columns = (Interpretation.title, *(getattr(Interpretation, name) for name in services.SECTIONS))

    def has(term: Term) -> object:
        indexed = criteria.indexed(term, "interpretation", Consultation.id)
        return and_(indexed, or_(any_contains(term, *columns), any_contains(term, DecidedDocument.title)))

    found = db.session.execute(
        db.select(Consultation, Interpretation)
        .join(Interpretation, Interpretation.consultation_id == Consultation.id)
        .join(DecidedDocument, DecidedDocument.consultation_id == Consultation.id)
        .where(
            Interpretation.status == InterpretationStatus.PUBLISHED,
            Consultation.status.in_(PUBLISHED_STATUSES),
            *(has(term) for term in criteria),
        )
        .order_by(Interpretation.published_at.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    # Results quote the 解读 and name its department: a changed one is left out (and alerted), never quoted.
    rows = integrity.servable(sealing.INTERPRETATION, [tuple(row) for row in found], lambda row: row[1].consultation_id)
    return [_search_document(consultation, interpretation) for consultation, interpretation in rows]


def _search_document(consultation: Consultation, interpretation: Interpretation) -> Document:
    url = url_for("consultation.interpretation", consultation_id=consultation.id)
    keep = chain.public_contacts(consultation)
    parts = [
        SearchField(name, chain.masked(getattr(interpretation, name), keep), SECTION_LABELS[name], f"{url}#part-{name}")
        for name in services.SECTIONS
    ]
    return Document(
        kind="interpretation",
        title=interpretation.title,
        url=url,
        fields=tuple(parts),
        status=_l("Policy interpretation"),
        status_class="",
        department=consultation.department.display_name(current_language()),
        date=interpretation.published_at,
        # For the search filters (type, department, year, stage): a 解读 comes after the feedback.
        department_id=consultation.department_id,
        doc_type=consultation.doc_type,
        doc_type_label=labels.document_type_label(consultation.doc_type),
        phase="feedback",
    )


def _index_texts(ids: list[int]) -> dict[int, list[str]]:
    """The searched texts of the published 解读 of these consultations (by consultation), with the decided title."""
    rows = db.session.execute(
        select(Interpretation, DecidedDocument.title)
        .join(Consultation, Consultation.id == Interpretation.consultation_id)
        .outerjoin(DecidedDocument, DecidedDocument.consultation_id == Interpretation.consultation_id)
        .where(Interpretation.consultation_id.in_(ids), Interpretation.status == InterpretationStatus.PUBLISHED)
        .where(Consultation.status.in_(PUBLISHED_STATUSES))
    )
    return {
        record.consultation_id: [record.title, decided or "", *(getattr(record, name) for name in services.SECTIONS)]
        for record, decided in rows
    }


def init_app(app: Flask) -> None:
    register_search_provider(
        app, Provider("interpretation", _l("Policy interpretation"), find_interpretations, order=30)
    )
    watches = (
        Watch(Interpretation, "consultation_id", ("title", "status", *services.SECTIONS)),
        Watch(DecidedDocument, "consultation_id", ("title",)),
        Watch(Consultation, "id", ("status",)),
    )
    kind = IndexedKind("interpretation", Interpretation.consultation_id, _index_texts, watches)
    search_index.register_indexed_kind(app, kind)
