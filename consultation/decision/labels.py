"""What the codes of the decision stage are called on screen: statuses, chart kinds, refusals, history."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from consultation.decision.models import ChartKind, InterpretationStatus

STATUS_LABELS = {
    InterpretationStatus.DRAFT: _l("Draft"),
    InterpretationStatus.IN_REVIEW: _l("In review"),
    InterpretationStatus.RETURNED: _l("Returned to the editor"),
    InterpretationStatus.PUBLISHED: lazy_pgettext("review status", "Published"),
    InterpretationStatus.SUPERSEDED: _l("Replaced by a revision"),
}

CHART_KIND_LABELS = {
    ChartKind.BARS: _l("Bars: compare amounts"),
    ChartKind.SHARES: _l("Shares: one 100% bar a row (two or more columns)"),
}

SECTION_LABELS = {
    "background": _l("Background"),
    "goals": _l("Goals"),
    "key_measures": _l("Key measures"),
    "changes": _l("What changed from the draft, and why"),
}
# What a revision may change besides the four parts (revisions.changed_parts names them).
CHANGED_PART_LABELS = {
    "title": _l("Title"),
    **SECTION_LABELS,
    "figures": _l("Figures"),
    "images": _l("Pictures"),
}

# What a correction of the decided document may change (documents.changed_fields names them).
DOCUMENT_FIELD_LABELS = {
    "title": _l("Title"),
    "number": _l("Document number"),
    "url": _l("Address where it is published"),
    "file": _l("File"),
}

_PROBLEMS = {
    "not_decided": _l("Only a consultation recorded as decided has a decided document and an interpretation."),
    "document_title_missing": _l("Give the title of the issued document."),
    "document_source_missing": _l("Upload the issued document or give the address where it is published."),
    "document_missing": _l(
        "Submit the decided document for review first: an interpretation must link to the policy it explains."
    ),
    "document_unpublished": _l(
        "Approve the decided document first: an interpretation must link to the published policy it explains."
    ),
    "document_started": _l("The decided document is already being prepared or reviewed; open it on this page."),
    "document_changed_meanwhile": _l(
        "The document you were editing was approved or discarded meanwhile; the page shows it as it is now."
    ),
    "document_not_editable": _l("The decided document is in review and can no longer be changed."),
    "document_not_in_review": _l("The decided document is not waiting for review."),
    "correction_needs_published": _l("Only a published document can be corrected."),
    "interpretation_started": _l("The interpretation was already started; open it on this page."),
    "interpretation_title_missing": _l("Give the interpretation a title."),
    "interpretation_not_editable": _l("The interpretation is in review or published and can no longer be changed."),
    "not_in_review": _l("The interpretation is not waiting for review."),
    "same_person": _l("Someone other than the person who wrote or submitted it must review it."),
    "reason_required": _l("Give the reasons, so the editor knows what to change."),
    "image_type": _l("Only JPEG and PNG pictures can be shown in an interpretation."),
    "figure_empty": _l("Type at least one row with a label and a number."),
    "figure_row_label_missing": _l("Every row with numbers needs a label."),
    "figure_series_name_missing": _l("Name every column that holds numbers."),
    "revision_note_missing": _l("Say what was changed: readers see it beside the revision date."),
    "revision_unchanged": _l("The revision changes nothing in the published interpretation."),
    "revision_in_progress": _l("A revision is already being written or reviewed; finish or discard it first."),
    "revision_needs_published": _l("Only a published interpretation can be revised."),
    "not_a_revision": _l("Only a revision can be discarded; the first version is edited until it is published."),
    "document_unchanged": _l("Nothing differs from the published document: change it or upload the corrected file."),
}


def problem_message(code: str) -> str:
    """The translated sentence for a refusal code; a missing part names the part."""
    name, _sep, section = code.partition(":")
    if name == "section_missing":
        return _("Write the part “%(part)s”.", part=SECTION_LABELS.get(section, section))
    message = _PROBLEMS.get(code)
    return str(message) if message is not None else code
