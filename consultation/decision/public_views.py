"""The public pages after the decision: the decided document and its 政策解读, linked with the draft and feedback,
and the earlier versions a revision or a correction replaced (each verified against its own seal)."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, send_file

from consultation import blueprints
from consultation.decision import chain, figures, labels, revisions, sealing, services
from consultation.decision.models import DecidedDocument, Interpretation, InterpretationImage, InterpretationStatus
from consultation.drafting import services as drafting
from consultation.drafting import uploads
from consultation.models import Consultation
from core import integrity, page_cache
from core.extensions import db
from core.routing import Routes

bp = Routes(blueprints.public)


def _published_or_404(consultation_id: int) -> Consultation:
    return drafting.published_consultation(consultation_id) or abort(404)


def _interpretation_or_404(consultation: Consultation) -> Interpretation:
    record = chain.published_interpretation(consultation.id) or abort(404)
    integrity.require(sealing.INTERPRETATION, consultation.id)  # the 503 page if not as approved
    return record


def _document_or_404(consultation: Consultation) -> DecidedDocument:
    record = services.document_of(consultation) or abort(404)
    integrity.require(sealing.DOCUMENT, consultation.id)
    return record


@bp.route("/interpretations")
def interpretations() -> str:
    """Every published 解读, the most recent first."""
    return page_cache.cached_page("interpretations", _render_index)


def _render_index() -> str:
    return render_template("consultation/decision/index.html", items=chain.published_interpretations())


@bp.route("/<int:consultation_id>/decided-document")
def document(consultation_id: int) -> str:
    return page_cache.cached_page("decided-document", lambda: _render_document(consultation_id))


def _render_document(consultation_id: int) -> str:
    consultation = _published_or_404(consultation_id)
    record = _document_or_404(consultation)
    conclusion = services.decided_conclusion(consultation)
    if conclusion is not None:
        integrity.require("consultation.conclusion", consultation.id)  # its note and link are shown here too
    return render_template(
        "consultation/decision/document.html",
        consultation=consultation,
        document=record,
        conclusion=conclusion,
        steps=chain.public_steps(consultation),
        versions=revisions.document_versions(consultation.id),
    )


@bp.route("/<int:consultation_id>/decided-document/file")
def document_file(consultation_id: int) -> Any:
    record = _document_or_404(_published_or_404(consultation_id))
    if not record.stored_name:
        abort(404)
    return send_file(
        uploads.path_of(record.stored_name),
        mimetype=record.content_type,
        as_attachment=True,
        download_name=record.filename,
    )


@bp.route("/<int:consultation_id>/decided-document/versions/<int:version>/file")
def document_version_file(consultation_id: int, version: int) -> Any:
    """The file of a version a correction replaced, as it was published."""
    _published_or_404(consultation_id)
    record = revisions.document_version(consultation_id, version)
    if record is None or not record.stored_name:
        abort(404)
    integrity.require(sealing.DOCUMENT_VERSION, record.id)
    return send_file(uploads.path_of(record.stored_name), mimetype=record.content_type, as_attachment=True,
                     download_name=record.filename)  # fmt: skip


@bp.route("/<int:consultation_id>/interpretation")
def interpretation(consultation_id: int) -> str:
    return page_cache.cached_page("interpretation", lambda: _render_interpretation(consultation_id))


def _render_interpretation(consultation_id: int, version: int | None = None) -> str:
    """The published 解读, or (`version`) one a revision replaced, with the list of earlier versions."""
    consultation = _published_or_404(consultation_id)
    current = _interpretation_or_404(consultation)
    record = current if version is None else revisions.earlier_version(consultation.id, version) or abort(404)
    if version is not None:
        integrity.require(sealing.INTERPRETATION_VERSION, record.id)
    return render_template(
        "consultation/decision/interpretation.html",
        consultation=consultation,
        interpretation=record,
        current=current,
        versions=revisions.earlier_versions(consultation.id),
        document=_document_or_404(consultation),
        steps=chain.public_steps(consultation),
        labels=labels,
        charts={figure.id: figures.chart(figure) for figure in record.figures},
    )


@bp.route("/<int:consultation_id>/interpretation/versions/<int:version>")
def interpretation_version(consultation_id: int, version: int) -> str:
    """An earlier version of the 解读 as it was published, marked as replaced and linking to the current one."""
    return page_cache.cached_page("interpretation-version", lambda: _render_interpretation(consultation_id, version))


@bp.route("/<int:consultation_id>/interpretation/images/<int:image_id>")
def image(consultation_id: int, image_id: int) -> Any:
    """A picture of the published 解读 or of an earlier version, shown inline: it decoded as the JPEG or PNG it
    claims when uploaded."""
    current = _interpretation_or_404(_published_or_404(consultation_id))
    item = db.session.get(InterpretationImage, image_id)
    owner = item.interpretation if item is not None else None
    if owner is None or owner.consultation_id != current.consultation_id:
        abort(404)
    if owner.id != current.id:
        if owner.status is not InterpretationStatus.SUPERSEDED:
            abort(404)  # a revision's pictures are not public before it is approved
        integrity.require(sealing.INTERPRETATION_VERSION, owner.id)
    return send_file(uploads.path_of(item.stored_name), mimetype=item.content_type, download_name=item.filename)
