"""The OpenAPI description of the consultation endpoints of the open-data API (api.py serves them).

The response bodies are typed models; their JSON Schemas, and so the document's components, are generated from them
(core.api.component_schemas), and the schemathesis tests check every response against them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from consultation.drafting import periods
from consultation.models import Adoption, Channel, RejectionReason, RespondentType
from core.api import (
    ERROR_RESPONSES,
    NOT_FOUND,
    PAGE_PARAMETERS,
    WHOLE_NUMBER,
    ApiDepartment,
    PageInfo,
    Url,
    component_schemas,
    ok,
    paged_schema,
    path_id,
    query_param,
    ref,
)

_ID = path_id("consultation_id", "The consultation's number, as in its public address.")
DocumentType = Literal[*periods.DOCUMENT_TYPES]  # type: ignore[valid-type]
Phase = Literal["upcoming", "open", "closed"]


class DepartmentName(BaseModel):
    id: int
    name: str
    name_en: str


class ConsultationSummary(BaseModel):
    """A published consultation (公开征求意见) as the public list shows it."""

    id: int
    title: str
    type: DocumentType
    type_label: str
    department: DepartmentName
    round: int
    phase: Phase
    start_at: datetime
    end_at: datetime
    days_left: int | None = Field(description="Days left to comment while open; null otherwise.")
    url: Url = Field(description="The public notice page.")
    feedback_url: Url | None = Field(description="Once the feedback is published.")


class Contact(BaseModel):
    """The office to send comments to, as the notice shows it (e-mail and address for those channels)."""

    phone: str
    email: str | None
    address: str | None


class Extension(BaseModel):
    at: datetime
    new_end_at: datetime
    reason: str


class Attachment(BaseModel):
    filename: str
    content_type: str
    size: int
    url: str


class UnitCount(BaseModel):
    unit_key: str | None = Field(description="null: the whole draft.")
    count: int


class CommentCounts(BaseModel):
    """Comments approved by the moderators so far (every channel), as the notice counts them; pending and rejected
    ones are counted only in the published feedback's statistics."""

    total: int
    participants: int
    by_unit: list[UnitCount]


class Consultation(ConsultationSummary):
    """A published consultation's notice."""

    department: ApiDepartment  # type: ignore[assignment]  # the notice names the office's contacts as well
    contact: Contact
    channels: list[Channel]
    intro: str = Field(description="征集说明 (Markdown).")
    explanation: str = Field(description="起草说明, the drafting explanation (Markdown).")
    interpretation: str = Field(description="政策解读, the policy interpretation (Markdown).")
    shortening_reason: str = Field(description="Why the period is shorter than the minimum.")
    extensions: list[Extension]
    previous_round_id: int | None
    attachments: list[Attachment]
    comments: CommentCounts
    units_url: Url


class DraftUnit(BaseModel):
    key: str = Field(description="Stable key comments refer to, e.g. a3.")
    kind: str = Field(description="The unit's level: preamble, book, chapter, section, article, part, item, … closing.")
    number: str
    title: str
    text: str
    parent: str | None


class DraftUnits(BaseModel):
    """The draft split into the units residents comment on, in reading order."""

    consultation_id: int
    items: list[DraftUnit]


class FeedbackRow(BaseModel):
    number: int
    name: str = Field(description="Masked (张*明) unless the resident agreed to be named.")
    unit: str
    content: str = Field(description="The comment, personal data masked.")
    adoption: Adoption | None
    reason: str
    change: str
    size: int = Field(description="How many sent this comment (a campaign is shown once).")


class FeedbackRows(PageInfo):
    items: list[FeedbackRow]


class FeedbackStatistics(BaseModel):
    received: int
    participants: int
    valid: int
    rejected: int
    rejected_by_reason: dict[RejectionReason, int]
    by_channel: dict[Channel, int]
    by_respondent_type: dict[RespondentType, int]
    by_adoption: dict[Adoption, int]


class AddendumRow(BaseModel):
    name: str = Field(description="Masked (张*明) unless the resident agreed to be named, as in the feedback table.")
    content: str = Field(description="The comment, personal data masked; empty when it was not accepted as valid.")
    valid: bool
    adoption: Adoption | None
    reason: str
    change: str


class FeedbackAddendum(BaseModel):
    """A supplement to the published feedback (补充反馈): comments that arrived after it, answered publicly."""

    id: int
    published_at: datetime
    url: Url = Field(description="Where the feedback page shows it.")
    note: str = Field(description="Why the comments came late, personal data masked.")
    rows: list[AddendumRow]


class Feedback(BaseModel):
    """The published feedback (结果反馈): statistics, main changes and the table of answers, a page at a time, and
    its addenda (every page carries them all: they are few)."""

    consultation: ConsultationSummary
    published_at: datetime
    main_changes: str
    statistics: FeedbackStatistics
    rows: FeedbackRows
    addenda: list[FeedbackAddendum] = Field(description="Oldest first; empty until a late comment is answered.")


SCHEMAS: dict[str, Any] = component_schemas(ConsultationSummary, Consultation, DraftUnits, FeedbackRow, Feedback)

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
