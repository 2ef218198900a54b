"""Forms of the legality-review stage: the department's exemption, the reviewer's return and pass, how it ended."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField, URLField, ValidationError
from wtforms.validators import URL, DataRequired, Length, Optional

from consultation.labels import OUTCOME_LABELS
from consultation.legality.labels import EXEMPTION_LABELS

NOTE_MAX = 4000


class ExemptionForm(FlaskForm):
    basis = SelectField(
        _l("Legal basis"),
        choices=[SelectChoice(basis.value, label) for basis, label in EXEMPTION_LABELS.items()],
        validators=[DataRequired()],
    )
    note = TextAreaField(
        _l("Why this basis applies"),
        validators=[DataRequired(message=_l("Explain why the legal basis applies.")), Length(max=NOTE_MAX)],
    )


class ReturnForm(FlaskForm):
    reasons = TextAreaField(
        _l("Reasons for returning it"),
        validators=[DataRequired(message=_l("Give the reasons, so the department knows what to fix.")),
                    Length(max=NOTE_MAX)],
    )  # fmt: skip


class PassForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])


class ConclusionForm(FlaskForm):
    """How the consultation ended, recorded by its department and shown on the public page."""

    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice(outcome.value, label) for outcome, label in OUTCOME_LABELS.items()],
        validators=[DataRequired()],
    )
    note = TextAreaField(
        _l("How it ended"),
        description=_l("Shown to the public, e.g. the meeting that adopted it and the document number."),
        validators=[DataRequired(message=_l("Say how it ended.")), Length(max=NOTE_MAX)],
    )
    document_url = URLField(
        _l("Address of the issued document (optional)"),
        validators=[Optional(), Length(max=500), URL(require_tld=False, message=_l("Give an http or https address."))],
    )

    def validate_document_url(self, field: URLField) -> None:
        if field.data and urlsplit(field.data).scheme not in ("http", "https"):
            raise ValidationError(_l("Give an http or https address."))
