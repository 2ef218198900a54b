"""What the legality-review stage calls things on screen: the gate's checklist, exemption bases, review states,
refusals, and the steps of a consultation's history."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from consultation import labels
from consultation.handling.participation_labels import PROCEDURE_LABELS, PROCEDURE_STATE_LABELS  # noqa: F401 - the gate's page
from consultation.legality.models import ExemptionBasis, ReviewState

CHECK_LABELS = {
    "period_completed": _l("The consultation ran at least its minimum period and has closed"),
    "notice_method_deadline": _l("The notice stated how to comment and the deadline"),
    "explanation_published": _l("The drafting explanation (起草说明) was published with the draft"),
    "comments_answered": _l("Every valid comment is answered"),
    "concentrated_reasons": _l("Every concentrated opinion that was not adopted has a reason"),
    "feedback_published": _l("The feedback is published"),
    "late_comments_answered": _l("Every comment that arrived after the feedback is answered in an addendum"),
}

EXEMPTION_LABELS = {
    ExemptionBasis.STATE_SECRET: _l("Must be kept secret by law (依法需要保密)"),
    ExemptionBasis.NOT_DISCLOSED: _l("Not to be disclosed by law (依法不予公开)"),
    ExemptionBasis.INTERNAL_AFFAIRS: _l("Internal affairs (内部事务)"),
    ExemptionBasis.EMERGENCY: _l("Emergency (突发事件)"),
}

REVIEW_STATE_LABELS = {
    ReviewState.SUBMITTED: _l("Submitted, not yet received"),
    ReviewState.RECEIVED: _l("Packet received, under review"),
    ReviewState.RETURNED: _l("Returned to the department"),
    ReviewState.PASSED: _l("Passed the legality review"),
}

_PROBLEMS = {
    "legality_already_submitted": _l("This consultation has already been submitted for legality review."),
    "legality_not_pending": _l("This draft is not waiting for a legality review step."),
    "exemption_note_required": _l("Explain why the legal basis applies."),
    "exemption_missing": _l("No exemption is recorded."),
}

# Why the gate refused, one sentence per unmet condition; a count follows the colon where one says more.
_GATE_PROBLEMS = {
    "gate_period_completed": _l("The consultation has not yet run its minimum period and closed."),
    "gate_notice_method_deadline": _l(
        "The notice did not state how to comment (with an address for each channel) and by when."
    ),
    "gate_explanation_published": _l("The drafting explanation (起草说明) was not published with the draft."),
    "gate_feedback_published": _l("The feedback is not published yet."),
}
_COUNTED_GATE_PROBLEMS: dict[str, Callable[[int], str]] = {
    "gate_comments_answered": lambda n: ngettext(
        "%(num)d comment still needs moderation or an answer.",
        "%(num)d comments still need moderation or an answer.",
        n,
    ),
    "gate_concentrated_reasons": lambda n: ngettext(
        "%(num)d comment of concentrated opinions is not adopted and has no reason.",
        "%(num)d comments of concentrated opinions are not adopted and have no reason.",
        n,
    ),
    "gate_late_comments_answered": lambda n: ngettext(
        "%(num)d comment arrived after the feedback was published; answer it in an addendum to the feedback.",
        "%(num)d comments arrived after the feedback was published; answer them in an addendum to the feedback.",
        n,
    ),
}

HISTORY_LABELS = {
    "consultation.create": _l("Created"),
    "consultation.edit": _l("Edited"),
    "consultation.draft_saved": _l("Draft saved"),
    "consultation.submit": _l("Submitted for the secrecy and publication review"),
    "consultation.approve": _l("Approved and published"),
    "consultation.return": _l("Returned to the editor"),
    "consultation.extend": _l("Period extended"),
    "consultation.period_below_minimum": _l("Period below the minimum under the holiday calendar entered since"),
    "consultation.new_round": _l("New round started"),
    "consultation.attachment_add": _l("File added"),
    "consultation.attachment_remove": _l("File removed"),
    "consultation.comment_recorded": _l("Comment recorded from a letter, e-mail or meeting"),
    "consultation.comment_approve": _l("Comments accepted by the moderator"),
    "consultation.comment_reject": _l("Comments not accepted by the moderator"),
    "consultation.comment_merge": _l("Comments merged into one cluster"),
    "consultation.comment_split": _l("Comments taken out of their cluster"),
    "consultation.duplicates_recheck": _l("Duplicates checked again"),
    "consultation.answers_export": _l("Answer sheet exported"),
    "consultation.answer": _l("Comments answered"),
    "consultation.answers_import": _l("Answers imported"),
    "consultation.feedback_draft": _l("Feedback draft saved"),
    "consultation.feedback_publish": _l("Feedback published"),
    "consultation.summary_export": _l("Summary or table downloaded"),
    "consultation.exemption_record": _l("Exemption from consultation recorded"),
    "consultation.exemption_withdraw": _l("Exemption withdrawn"),
    "consultation.legality_submit": _l("Submitted for legality review"),
    "consultation.legality_received": _l("Packet received by the legality reviewer"),
    "consultation.legality_returned": _l("Returned by the legality reviewer"),
    "consultation.legality_passed": _l("Passed the legality review"),
}


def problem_message(code: str) -> str:
    """The sentence for a refusal of this stage, or of the consultation package in general."""
    counted = labels.counted_problem(_COUNTED_GATE_PROBLEMS, code)
    if counted is not None:
        return counted
    message = _GATE_PROBLEMS.get(code.partition(":")[0]) or _PROBLEMS.get(code)
    return str(message) if message is not None else labels.problem_message(code)


def history_label(action: str) -> str:
    message = HISTORY_LABELS.get(action)
    return str(message) if message is not None else action


def check_label(code: str) -> str:
    return str(CHECK_LABELS.get(code, code))


def export_label(detail: dict) -> str:
    """ "DOCX, internal version" for an export's audit detail."""
    version = _("internal version") if detail.get("version") == "internal" else _("public version")
    what = {"reply_list": _("reply list"), "packet": _("legality packet")}.get(detail.get("what", ""), "")
    parts = [str(detail.get("format", "")).upper(), what, version, detail.get("code", ""), detail.get("via", "")]
    return " · ".join(part for part in parts if part)
