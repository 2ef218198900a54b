"""Open data of the consultations (/api/v1/consultations): published notices, their drafts, published feedback.

Only what the public pages show: a consultation in preparation is unknown here (404), the feedback table exists
once the feedback is published, and its names are masked as on the feedback page; a resident's phone, e-mail or
address is never read into a response. Their OpenAPI description is in api_spec.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, abort

from consultation import labels
from consultation.comments import commenting
from consultation.drafting import periods, services
from consultation.handling import addenda, feedback
from consultation.handling.models import ConsultationFeedback
from consultation.models import Channel, Consultation
from consultation.opendata.api_spec import PATHS, SCHEMAS
from core import integrity
from core.api import (
    ID,
    api_blueprint,
    cached_json,
    choice_arg,
    department_json,
    int_arg,
    paged_list,
    paged_query,
    timestamp,
)
from core.db import utcnow
from core.extensions import db
from core.links import site_url

bp = api_blueprint("consultation_api", __name__, paths=PATHS, schemas=SCHEMAS)
PHASES = ("open", "upcoming", "closed")


def _published_or_404(consultation_id: int) -> Consultation:
    return services.published_consultation(consultation_id) or abort(404)


def _with_published_feedback(consultation_ids: list[int]) -> set[int]:
    """Which of these consultations have their feedback published (one query for a whole page)."""
    if not consultation_ids:
        return set()
    return set(
        db.session.scalars(
            db.select(ConsultationFeedback.consultation_id)
            .join(Consultation, Consultation.id == ConsultationFeedback.consultation_id)
            .where(
                ConsultationFeedback.consultation_id.in_(consultation_ids),
                ConsultationFeedback.published_at.is_not(None),
                Consultation.status.in_(feedback.PUBLISHED_STATUSES),
            )
        )
    )


def _summary(consultation: Consultation, now: datetime, feedback_published: bool) -> dict[str, Any]:
    phase = consultation.phase(now)
    return {
        "id": consultation.id,
        "title": consultation.title,
        "type": consultation.doc_type,
        "type_label": labels.document_type_label(consultation.doc_type),
        "department": {
            "id": consultation.department.id,
            "name": consultation.department.name,
            "name_en": consultation.department.name_en,
        },
        "round": consultation.round_number,
        "phase": phase,
        "start_at": timestamp(consultation.start_at),
        "end_at": timestamp(consultation.end_at),
        "days_left": consultation.days_left(now) if phase == "open" else None,
        "url": site_url("consultation.detail", consultation_id=consultation.id),
        "feedback_url": (
            site_url("consultation.feedback", consultation_id=consultation.id) if feedback_published else None
        ),
    }


def _summaries(consultations: list[Consultation]) -> list[dict[str, Any]]:
    now = utcnow()
    published = _with_published_feedback([consultation.id for consultation in consultations])
    return [_summary(consultation, now, consultation.id in published) for consultation in consultations]


@bp.route("/consultations")
def consultations() -> Response:
    return cached_json("api-consultations", _consultation_list)


def _consultation_list() -> dict[str, Any]:
    phase = choice_arg("phase", PHASES)
    filters = {"department_id": int_arg("department"), "doc_type": choice_arg("type", list(periods.DOCUMENT_TYPES))}
    now = utcnow()
    # The public list's own query, phase by phase: the API lists exactly what the list page shows.
    rows = [c for each in ([phase] if phase else PHASES) for c in services.published_in_phase(each, now, **filters)]
    return paged_list(rows, _summaries)


@bp.route(f"/consultations/<{ID}:consultation_id>")
def consultation(consultation_id: int) -> Response:
    return cached_json("api-consultation", lambda: _consultation_detail(consultation_id))


def _contact(consultation: Consultation) -> dict[str, str | None]:
    """The contacts the notice shows: its office phone, and the e-mail and address of the channels it accepts."""
    return {
        "phone": consultation.contact_phone or consultation.department.office_phone,
        "email": (consultation.contact_email or None) if consultation.accepts(Channel.EMAIL) else None,
        "address": (consultation.contact_address or None) if consultation.accepts(Channel.LETTER) else None,
    }


def _consultation_detail(consultation_id: int) -> dict[str, Any]:
    consultation = _published_or_404(consultation_id)
    counts = commenting.public_counts(consultation)
    summary = _summaries([consultation])[0]
    return {
        **summary,
        "department": department_json(consultation.department),
        "contact": _contact(consultation),
        "channels": list(consultation.channels or []),
        "intro": consultation.intro,
        "explanation": consultation.explanation,
        "interpretation": consultation.interpretation,
        "shortening_reason": consultation.shortening_reason,
        "extensions": [
            {"at": timestamp(ext.at), "new_end_at": timestamp(ext.new_end), "reason": ext.reason}
            for ext in consultation.extensions
        ],
        "previous_round_id": consultation.previous_round_id,
        "attachments": [
            {
                "filename": item.filename,
                "content_type": item.content_type,
                "size": item.size,
                "url": site_url("consultation.attachment", consultation_id=consultation.id, attachment_id=item.id),
            }
            for item in consultation.attachments
        ],
        "comments": {
            "total": counts.comments,
            "participants": counts.participants,
            "by_unit": [
                {"unit_key": key, "count": count}
                for key, count in sorted(counts.by_unit.items(), key=lambda item: (item[0] is not None, item[0] or ""))
            ],
        },
        "units_url": site_url("consultation_api.units", consultation_id=consultation.id),
    }


@bp.route(f"/consultations/<{ID}:consultation_id>/units")
def units(consultation_id: int) -> Response:
    return cached_json("api-units", lambda: _units(consultation_id))


def _units(consultation_id: int) -> dict[str, Any]:
    consultation = _published_or_404(consultation_id)
    return {
        "consultation_id": consultation.id,
        "items": [
            {
                "key": row.key,
                "kind": row.kind,
                "number": row.number,
                "title": row.title,
                "text": row.text,
                "parent": row.parent_key,
            }
            for row in consultation.units
        ],
    }


@bp.route(f"/consultations/<{ID}:consultation_id>/feedback")
def feedback_table(consultation_id: int) -> Response:
    return cached_json("api-feedback", lambda: _feedback(consultation_id))


def _feedback(consultation_id: int) -> dict[str, Any]:
    consultation = _published_or_404(consultation_id)
    record = db.session.get(ConsultationFeedback, consultation.id)
    if consultation.status not in feedback.PUBLISHED_STATUSES or record is None or record.published_at is None:
        abort(404)
    integrity.require("consultation.feedback", consultation.id)  # the 503 page if not as published
    stats = feedback.statistics(consultation, as_published=True)
    table = paged_query(feedback.table_query(consultation), lambda comments: _rows(consultation, comments))
    first = (table["page"] - 1) * table["per_page"] + 1
    for number, row in enumerate(table["items"], start=first):
        row["number"] = number
    return {
        "consultation": _summaries([consultation])[0],
        "published_at": timestamp(record.published_at),
        "main_changes": record.main_changes,
        "statistics": {
            "received": stats.received,
            "participants": stats.participants,
            "valid": stats.valid,
            "rejected": stats.rejected,
            "rejected_by_reason": {str(reason): n for reason, n in stats.rejected_by_reason.items() if reason},
            "by_channel": {str(channel): n for channel, n in stats.by_channel.items()},
            "by_respondent_type": {str(kind): n for kind, n in stats.by_respondent.items()},
            "by_adoption": {str(adoption): n for adoption, n in stats.by_adoption.items()},
        },
        "rows": table,
        "addenda": [_addendum(consultation, item) for item in addenda.published_addenda(consultation)],
    }


def _addendum(consultation: Consultation, item: addenda.PublicAddendum) -> dict[str, Any]:
    """An addendum as the feedback page shows it: names and texts masked there already (handling/addenda)."""
    url = addenda.addendum_url(consultation.id, item.id)
    rows = [
        {"name": row.name, "content": row.content, "valid": row.valid,
         "adoption": str(row.adoption) if row.adoption else None, "reason": row.reason, "change": row.change}
        for row in item.rows
    ]  # fmt: skip
    return {"id": item.id, "published_at": timestamp(item.published_at), "url": url, "note": item.note, "rows": rows}


def _rows(consultation: Consultation, comments: list[Any]) -> list[dict[str, Any]]:
    """The rows exactly as the public feedback table shows them (feedback.table_rows masks every name)."""
    return [
        {
            "name": row.name,
            "unit": row.unit,
            "content": row.content,
            "adoption": str(row.adoption) if row.adoption else None,
            "reason": row.reason,
            "change": row.change,
            "size": row.size,
        }
        for row in feedback.table_rows(consultation, comments)
    ]
