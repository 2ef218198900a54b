"""Forms of the legality-review stage: the department's exemption, the reviewer's return and pass."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consultation.review_labels import EXEMPTION_LABELS

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
