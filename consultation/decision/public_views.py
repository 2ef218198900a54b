"""The public pages after the decision: the decided document and its 政策解读, linked with the draft and feedback."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, send_file

from consultation.decision import chain, figures, labels, sealing, services
from consultation.decision.models import DecidedDocument, Interpretation, InterpretationImage
from consultation.drafting import services as drafting
from consultation.drafting import uploads
from consultation.models import Consultation
from core import integrity, page_cache
from core.extensions import db

bp = Blueprint("consultation_decision", __name__, url_prefix="/consultations")


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
    return render_template(
        "consultation/decision/document.html",
        consultation=consultation,
        document=record,
        conclusion=services.decided_conclusion(consultation),
        steps=chain.public_steps(consultation),
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


@bp.route("/<int:consultation_id>/interpretation")
def interpretation(consultation_id: int) -> str:
    return page_cache.cached_page("interpretation", lambda: _render_interpretation(consultation_id))


def _render_interpretation(consultation_id: int) -> str:
    consultation = _published_or_404(consultation_id)
    record = _interpretation_or_404(consultation)
    return render_template(
        "consultation/decision/interpretation.html",
        consultation=consultation,
        interpretation=record,
        document=_document_or_404(consultation),
        steps=chain.public_steps(consultation),
        labels=labels,
        charts={figure.id: figures.chart(figure) for figure in record.figures},
    )


@bp.route("/<int:consultation_id>/interpretation/images/<int:image_id>")
def image(consultation_id: int, image_id: int) -> Any:
    """A picture of a published 解读, shown inline: it decoded as the JPEG or PNG it claims when uploaded."""
    record = _interpretation_or_404(_published_or_404(consultation_id))
    item = db.session.get(InterpretationImage, image_id)
    if item is None or item.interpretation_id != record.id:
        abort(404)
    return send_file(uploads.path_of(item.stored_name), mimetype=item.content_type, download_name=item.filename)
