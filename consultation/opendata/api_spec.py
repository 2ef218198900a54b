"""The OpenAPI description of the consultation endpoints of the open-data API (api.py serves them)."""

from __future__ import annotations

from typing import Any

from consultation.drafting import periods
from consultation.models import Adoption, Channel, RejectionReason, RespondentType
from core.api import (
    ERROR_RESPONSES,
    NOT_FOUND,
    NULLABLE_STRING,
    PAGE_PARAMETERS,
    TIME,
    WHOLE_NUMBER,
    ok,
    paged_schema,
    path_id,
    query_param,
    ref,
)

_ID = path_id("consultation_id", "The consultation's number, as in its public address.")
_STRING, _INTEGER = {"type": "string"}, {"type": "integer"}
_COUNTS = {"type": "object", "additionalProperties": _INTEGER}


def _counts_by(codes: list[str]) -> dict[str, Any]:
    return {**_COUNTS, "propertyNames": {"enum": codes}}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "required": list(properties)}
    return {"description": description, **schema} if description else schema


_SUMMARY_FIELDS = {
    "id": _INTEGER,
    "title": _STRING,
    "type": {"type": "string", "enum": list(periods.DOCUMENT_TYPES)},
    "type_label": _STRING,
    "department": _object({"id": _INTEGER, "name": _STRING, "name_en": _STRING}),
    "round": _INTEGER,
    "phase": {"type": "string", "enum": ["upcoming", "open", "closed"]},
    "start_at": TIME,
    "end_at": TIME,
    "days_left": {"type": ["integer", "null"], "description": "Days left to comment while open; null otherwise."},
    "url": {"type": "string", "format": "uri", "description": "The public notice page."},
    "feedback_url": {"type": ["string", "null"], "format": "uri", "description": "Once the feedback is published."},
}

SCHEMAS: dict[str, Any] = {
    "ConsultationSummary": _object(
        _SUMMARY_FIELDS, "A published consultation (公开征求意见) as the public list shows it."
    ),
    "Consultation": _object(
        {
            **_SUMMARY_FIELDS,
            "department": ref("Department"),
            "contact": _object(
                {"phone": _STRING, "email": NULLABLE_STRING, "address": NULLABLE_STRING},
                "The office to send comments to, as the notice shows it (e-mail and address for those channels).",
            ),
            "channels": {"type": "array", "items": {"type": "string", "enum": [c.value for c in Channel]}},
            "intro": {"type": "string", "description": "征集说明 (Markdown)."},
            "explanation": {"type": "string", "description": "起草说明, the drafting explanation (Markdown)."},
            "interpretation": {"type": "string", "description": "政策解读, the policy interpretation (Markdown)."},
            "shortening_reason": {"type": "string", "description": "Why the period is shorter than the minimum."},
            "extensions": {
                "type": "array",
                "items": _object({"at": TIME, "new_end_at": TIME, "reason": _STRING}),
            },
            "previous_round_id": {"type": ["integer", "null"]},
            "attachments": {
                "type": "array",
                "items": _object({"filename": _STRING, "content_type": _STRING, "size": _INTEGER, "url": _STRING}),
            },
            "comments": _object(
                {
                    "total": _INTEGER,
                    "participants": _INTEGER,
                    "by_unit": {
                        "type": "array",
                        "items": _object(
                            {
                                "unit_key": {**NULLABLE_STRING, "description": "null: the whole draft."},
                                "count": _INTEGER,
                            }
                        ),
                    },
                },
                "Comments approved by the moderators so far (every channel), as the notice counts them; pending and "
                "rejected ones are counted only in the published feedback's statistics.",
            ),
            "units_url": {"type": "string", "format": "uri"},
        },
        "A published consultation's notice.",
    ),
    "DraftUnits": _object(
        {
            "consultation_id": _INTEGER,
            "items": {
                "type": "array",
                "items": _object(
                    {
                        "key": {"type": "string", "description": "Stable key comments refer to, e.g. a3."},
                        "kind": {
                            "type": "string",
                            "description": "preamble, chapter, section, article, part, item, paragraph or closing.",
                        },
                        "number": _STRING,
                        "title": _STRING,
                        "text": _STRING,
                        "parent": NULLABLE_STRING,
                    }
                ),
            },
        },
        "The draft split into the units residents comment on, in reading order.",
    ),
    "FeedbackRow": _object(
        {
            "number": _INTEGER,
            "name": {"type": "string", "description": "Masked (张*明) unless the resident agreed to be named."},
            "unit": _STRING,
            "content": {"type": "string", "description": "The comment, personal data masked."},
            "adoption": {"type": ["string", "null"], "enum": [*(a.value for a in Adoption), None]},
            "reason": _STRING,
            "change": _STRING,
            "size": {"type": "integer", "description": "How many sent this comment (a campaign is shown once)."},
        }
    ),
    "Feedback": _object(
        {
            "consultation": ref("ConsultationSummary"),
            "published_at": TIME,
            "main_changes": _STRING,
            "statistics": _object(
                {
                    "received": _INTEGER,
                    "participants": _INTEGER,
                    "valid": _INTEGER,
                    "rejected": _INTEGER,
                    "rejected_by_reason": _counts_by([r.value for r in RejectionReason]),
                    "by_channel": _counts_by([c.value for c in Channel]),
                    "by_respondent_type": _counts_by([t.value for t in RespondentType]),
                    "by_adoption": _counts_by([a.value for a in Adoption]),
                }
            ),
            "rows": paged_schema("FeedbackRow"),
        },
        "The published feedback (结果反馈): statistics, main changes and the table of answers, a page at a time.",
    ),
}

PATHS: dict[str, Any] = {
    "/consultations": {
        "get": {
            "operationId": "listConsultations",
            "summary": "Published consultations: open (soonest closing first), then upcoming, then closed",
            "parameters": [
                query_param(
                    "phase", "Only those in this phase.", {"type": "string", "enum": ["open", "upcoming", "closed"]}
                ),
                query_param("department", "Only those of this department (its id).", WHOLE_NUMBER),
                query_param(
                    "type", "Only this document type.", {"type": "string", "enum": list(periods.DOCUMENT_TYPES)}
                ),
                *PAGE_PARAMETERS,
            ],
            "responses": {**ok("A page of consultations.", paged_schema("ConsultationSummary")), **ERROR_RESPONSES},
        }
    },
    "/consultations/{consultation_id}": {
        "get": {
            "operationId": "getConsultation",
            "summary": "A published consultation's notice",
            "parameters": [_ID],
            "responses": {**ok("The notice.", ref("Consultation")), **NOT_FOUND, **ERROR_RESPONSES},
        }
    },
    "/consultations/{consultation_id}/units": {
        "get": {
            "operationId": "getDraftUnits",
            "summary": "The draft of a published consultation, unit by unit",
            "parameters": [_ID],
            "responses": {**ok("The draft's units.", ref("DraftUnits")), **NOT_FOUND, **ERROR_RESPONSES},
        }
    },
    "/consultations/{consultation_id}/feedback": {
        "get": {
            "operationId": "getFeedback",
            "summary": "The published feedback and its table of answers (404 until it is published)",
            "parameters": [_ID, *PAGE_PARAMETERS],
            "responses": {**ok("The feedback.", ref("Feedback")), **NOT_FOUND, **ERROR_RESPONSES},
        }
    },
}
