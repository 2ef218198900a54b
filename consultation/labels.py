"""What the codes of this package are called on screen: statuses, channels, types, refusals."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consultation import periods
from consultation.models import (
    Channel,
    CommentDisplay,
    ConsultationStatus,
    ModerationStatus,
    RespondentType,
    SecrecyResult,
)
from core.i18n import is_english

STATUS_LABELS = {
    ConsultationStatus.DRAFT: _l("Draft"),
    ConsultationStatus.IN_REVIEW: _l("In review"),
    ConsultationStatus.RETURNED: _l("Returned to the editor"),
    ConsultationStatus.SCHEDULED: _l("Approved and published"),
    ConsultationStatus.FEEDBACK_PUBLISHED: _l("Feedback published"),
    ConsultationStatus.SUBMITTED_FOR_REVIEW: _l("Submitted for legality review"),
    ConsultationStatus.CONCLUDED: _l("Concluded"),
    ConsultationStatus.ARCHIVED: _l("Archived"),
}

PHASE_LABELS = {
    "upcoming": _l("Upcoming"),
    "open": _l("Open for comment"),
    "closed": _l("Closed"),
}

CHANNEL_LABELS = {
    Channel.ONLINE: _l("Online on this site"),
    Channel.EMAIL: _l("By e-mail"),
    Channel.LETTER: _l("By letter"),
    Channel.MEETING: _l("At a meeting or hearing"),
}

RESPONDENT_LABELS = {
    RespondentType.INDIVIDUAL: _l("Individual"),
    RespondentType.ENTERPRISE: _l("Enterprise"),
    RespondentType.ASSOCIATION: _l("Industry association or chamber of commerce"),
    RespondentType.SOCIAL_ORGANISATION: _l("Social organisation"),
    RespondentType.AGENCY: _l("Government agency or public institution"),
    RespondentType.NPC_DEPUTY: _l("People's congress deputy"),
    RespondentType.CPPCC_MEMBER: _l("CPPCC member"),
    RespondentType.OTHER: _l("Other"),
}

DISPLAY_LABELS = {
    CommentDisplay.HIDDEN: _l("Comments are not shown before the feedback"),
    CommentDisplay.APPROVED_MASKED: _l("Approved comments are shown, names masked"),
}

SECRECY_LABELS = {
    SecrecyResult.CLEARED: _l("Cleared: no state secrets, work secrets or sensitive data"),
    SecrecyResult.NOT_CLEARED: _l("Not cleared: must be changed before publication"),
}

MODERATION_LABELS = {
    ModerationStatus.PENDING: _l("Received, awaiting moderation"),
    ModerationStatus.APPROVED: _l("Accepted by the moderator"),
    ModerationStatus.REJECTED: _l("Not accepted by the moderator"),
}

UNIT_KIND_LABELS = {
    "preamble": _l("Preamble"),
    "chapter": _l("Chapter"),
    "section": _l("Section"),
    "article": _l("Article"),
    "part": _l("Part"),
    "item": _l("Item"),
    "paragraph": _l("Paragraph"),
    "closing": _l("Closing lines"),
}

_PROBLEMS = {
    "explanation_missing": _l("The drafting explanation (起草说明) is required before publication."),
    "draft_missing": _l("Import the draft before submitting it."),
    "channels_missing": _l("Choose at least one channel for comments."),
    "contact_phone_missing": _l("Give an office phone for questions."),
    "dates_missing": _l("Set the start and the end of the comment period."),
    "end_before_start": _l("The end must be after the start."),
    "below_minimum": _l("The period is shorter than the minimum for this document type."),
    "ends_on_non_working_day": _l("The last day is not a working day, so the period runs on to the next working day."),
    "shortening_not_allowed": _l("This document type does not allow a shorter period."),
    "reason_required": _l("A reason is required."),
    "not_editable": _l("Only a draft or a returned consultation can be edited."),
    "not_in_review": _l("This consultation is not waiting for review."),
    "same_person": _l("The approver must not be the person who prepared or submitted this consultation."),
    "secrecy_not_cleared": _l("A consultation that did not pass the secrecy review cannot be approved."),
    "start_in_past": _l("The start has already passed; return it to the editor to set a new start."),
    "not_open": _l("Only a published consultation that has not closed can be extended."),
    "shortening_forbidden": _l("A published period can be extended, never shortened."),
    "unchanged": _l("The new end is the same as the current end."),
    "not_closed": _l("A new round can start only after this round has closed."),
    "duplicate_unit_key": _l("Two units have the same identifier; change one of the numbers."),
    "unknown_unit": _l("The chosen article is not part of this draft."),
    "consultation_upcoming": _l("This consultation is not open for comment yet."),
    "consultation_closed": _l("This consultation has closed; comments are no longer accepted."),
    "consultation_unpublished": _l("This consultation is not published."),
    "channel_not_offline": _l("Online comments are submitted by residents themselves."),
}


def problem_message(code: str) -> str:
    """The translated sentence for a refusal code; calendar_missing:YEAR names the year."""
    if code.startswith("calendar_missing:"):
        year = code.partition(":")[2]
        return _("The holiday calendar for %(year)s has not been entered; ask the administrator to add it.", year=year)
    message = _PROBLEMS.get(code)
    return str(message) if message is not None else code


def document_type_label(code: str) -> str:
    doc_type = periods.DOCUMENT_TYPES.get(code)
    if doc_type is None:
        return code
    return doc_type.label_en if is_english() else doc_type.label_zh


def minimum_label(doc_type: periods.DocumentType) -> str:
    if doc_type.unit is periods.PeriodUnit.WORKING_DAY:
        return _("%(n)d working days", n=doc_type.minimum)
    return _("%(n)d calendar days", n=doc_type.minimum)
