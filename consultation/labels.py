"""What the codes of this package are called on screen: statuses, channels, types, refusals."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from consultation.drafting import periods
from consultation.legality.models import Outcome
from consultation.models import (
    Adoption,
    Channel,
    CommentDisplay,
    ConsultationStatus,
    ModerationStatus,
    RejectionReason,
    RespondentType,
    SecrecyResult,
    Validity,
)
from core.i18n import is_english
from core.words import category_label

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

OUTCOME_LABELS = {
    Outcome.DECIDED: _l("Decided and issued"),
    Outcome.WITHDRAWN: _l("Withdrawn"),
    Outcome.SUPERSEDED: _l("Superseded by a new round"),
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
    Channel.PHONE: _l("By telephone or the 12345 hotline"),
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

VALIDITY_LABELS = {
    Validity.VALID: _l("Valid"),
    Validity.DUPLICATE: _l("Duplicate"),
    Validity.IRRELEVANT: _l("Irrelevant"),
    Validity.ILLEGAL: _l("Illegal or harmful content"),
}

REJECTION_LABELS = {
    RejectionReason.SPAM: _l("Spam: gambling, advertising or similar"),
    RejectionReason.ILLEGAL: _l("Illegal or harmful content"),
    RejectionReason.ABUSIVE: _l("Abuse or personal attacks"),
    RejectionReason.IRRELEVANT: _l("Unrelated to the consultation"),
    RejectionReason.DUPLICATE: _l("Repeated submission"),
}

ADOPTION_LABELS = {
    Adoption.ADOPTED: _l("Adopted"),
    Adoption.PARTLY_ADOPTED: _l("Partly adopted"),
    Adoption.NOT_ADOPTED: _l("Not adopted"),
    Adoption.OUT_OF_SCOPE: _l("Outside the scope of the consultation"),
}

_FLAGS = {
    "personal_data": _l("Personal data in the text"),
    "link": _l("Link"),
    "contact": _l("QQ or WeChat contact"),
    "exact_duplicate": _l("Exact duplicate"),
    "near_duplicate": _l("Near duplicate"),
    "burst": _l("Many comments from one source"),
}


def flag_label(flag: str) -> str:
    """The moderator's name for a screening flag; sensitive:<category> names the word list."""
    if flag.startswith("sensitive:"):
        return _("Sensitive words: %(category)s", category=category_label(flag.partition(":")[2]))
    message = _FLAGS.get(flag)
    return str(message) if message is not None else flag


UNIT_KIND_LABELS = {
    "preamble": _l("Preamble"),
    "book": _l("Book"),
    "subbook": _l("Sub-book"),
    "chapter": _l("Chapter"),
    "section": _l("Section"),
    "article": _l("Article"),
    "part": _l("Part"),
    "item": _l("Item"),
    "point": _l("Point"),
    "subpoint": _l("Sub-point"),
    "supplementary": _l("Supplementary provisions"),
    "annex": _l("Attached document"),
    "paragraph": _l("Paragraph"),
    "closing": _l("Closing lines"),
}

_PROBLEMS = {
    "not_concludable": _l("Only a published consultation that has not been concluded or archived can be concluded."),
    "legality_review_not_passed": _l("A draft is decided only after its legality review has passed."),
    "no_next_round": _l("Publish the new round before marking this one as superseded."),
    "conclusion_note_missing": _l("Say how it ended, e.g. the meeting that adopted it and the document number."),
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
    "nothing_selected": _l("Select at least one comment."),
    "feedback_published": _l("The feedback of this consultation is published; its comments can no longer change."),
    "merge_across_consultations": _l("Only comments on the same consultation can be merged."),
    "merge_needs_two": _l("Select at least two comments to merge."),
    "answer_not_valid": _l("Only comments the moderator accepted as valid are answered."),
    "reason_required_unless_adopted": _l("Give a reason: it is required unless the comment is adopted."),
    "concentrated_reason_required": _l("A concentrated opinion that is not adopted needs a published reason."),
    "feedback_already_published": _l("The feedback has already been published."),
    "feedback_not_closed": _l("The feedback can be published only after the consultation has closed."),
    "main_changes_missing": _l("Describe the main changes made to the draft (write 无 if there were none)."),
    "import_refused": _l("The file was refused; nothing was imported."),
    "procedure_date_missing": _l("Give the date the procedure was carried out."),
    "procedure_reason_missing": _l("Say why the procedure is not required."),
    "procedure_not_recorded": _l("Nothing is recorded for this procedure."),
    "participation_parties_missing": _l("Name who was consulted."),
    "meeting_details_missing": _l("A meeting needs its date, place and number of people."),
    "addendum_not_open": _l("An addendum can be published only after the feedback and before the decision."),
    "addendum_nothing_late": _l("No comment arrived after the feedback was published."),
    "feedback_seal_broken": _l(
        "The published feedback has been changed outside the site's workflow, so no addendum can be sealed with it. "
        "The portal office has been alerted; publish the addendum once the feedback is restored."
    ),
    "hearing_announcement_missing": _l("Give the day the hearing was announced to the public."),
    "hearing_announced_after": _l("The hearing was announced after the day it was held."),
}


def _hearing_notice_short(gap: int) -> str:
    days = int(current_app.config["CONSULTATION_HEARING_NOTICE_DAYS"])
    return ngettext(
        "A hearing must be announced to the public at least %(days)d days before it is held; this one was "
        "announced only %(num)d day before.",
        "A hearing must be announced to the public at least %(days)d days before it is held; this one was "
        "announced only %(num)d days before.",
        gap,
        days=days,
    )


# Problems that carry a count after a colon, e.g. "comments_unanswered:3": the sentence for that count.
_COUNTED_PROBLEMS: dict[str, Callable[[int], str]] = {
    "comments_pending": lambda n: ngettext(
        "%(num)d comment is still waiting for moderation.", "%(num)d comments are still waiting for moderation.", n
    ),
    "comments_unanswered": lambda n: ngettext(
        "%(num)d valid comment has no answer yet.", "%(num)d valid comments have no answer yet.", n
    ),
    "concentrated_reason_missing": lambda n: ngettext(
        "%(num)d comment of concentrated opinions is not adopted and has no reason.",
        "%(num)d comments of concentrated opinions are not adopted and have no reason.",
        n,
    ),
    "hearing_notice_short": _hearing_notice_short,
    "reason_too_short": lambda n: _(
        "Give a reason that says something: at least %(n)s letters or digits besides punctuation and the answer words.",
        n=n,
    ),
}


def counted_problem(counted: dict[str, Callable[[int], str]], code: str) -> str | None:
    """The sentence for a code such as "comments_unanswered:3" from `counted`, or None when it is not one of them."""
    name, _sep, count = code.partition(":")
    sentence = counted.get(name)
    return sentence(int(count)) if sentence is not None and count.isdigit() else None


def problem_message(code: str) -> str:
    """The translated sentence for a refusal code; counted codes carry their number after a colon."""
    counted = counted_problem(_COUNTED_PROBLEMS, code)
    if counted is not None:
        return counted
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


_IMPORT_PROBLEMS = {
    "unknown_receipt": _l("No comment of this consultation has this receipt number."),
    "duplicate_receipt": _l("This receipt number appears in an earlier row too."),
    "adoption_missing": _l("A reason or change is given but 采纳情况 is empty."),
    "unknown_adoption": _l("采纳情况 must be 采纳, 部分采纳, 未采纳 or 不属于征求范围."),
    "not_xlsx": _l("The file is not an .xlsx workbook. Fill in the exported 意见处理表 and upload it as .xlsx."),
    "empty": _l("The workbook has no rows to import."),
    "too_many_rows": _l("The workbook has too many rows."),
}


def import_problem_message(code: str) -> str:
    """The sentence for a refused import row or file; missing_columns:<names> names the columns."""
    if code.startswith("missing_columns:"):
        return _("The first row must name the columns; missing: %(names)s", names=code.partition(":")[2])
    message = _IMPORT_PROBLEMS.get(code)
    return str(message) if message is not None else problem_message(code)
