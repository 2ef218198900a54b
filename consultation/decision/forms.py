"""Forms of the decision stage: the decided document, the 解读's texts, a figure's table, a picture, the review."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
    ValidationError,
)
from wtforms.validators import URL, DataRequired, Length, Optional

from consultation.decision.figures import MAX_ROWS, MAX_SERIES
from consultation.decision.labels import CHART_KIND_LABELS

TEXT_MAX = 20000


class DecidedDocumentForm(FlaskForm):
    title = StringField(
        _l("Title of the issued document"),
        validators=[DataRequired(message=_l("Give the title of the issued document.")), Length(max=300)],
    )
    number = StringField(_l("Document number (optional)"), validators=[Optional(), Length(max=100)])
    file = FileField(_l("The issued document (PDF or Word)"))
    url = URLField(
        _l("Or the address where it is published"),
        validators=[Optional(), Length(max=500), URL(require_tld=False, message=_l("Give an http or https address."))],
    )

    # The prepared version this form edits (empty: none when the page was shown), so that an editor whose page
    # predates a colleague's start is told instead of overwriting it.
    editing = HiddenField()
    revision_note = TextAreaField(
        _l("What was corrected"),
        description=_l("Shown on the public page with the correction's date; the replaced version stays readable."),
        validators=[Optional(), Length(max=2000)],
    )

    def validate_url(self, field: URLField) -> None:
        if field.data and urlsplit(field.data).scheme not in ("http", "https"):
            raise ValidationError(_l("Give an http or https address."))


class InterpretationForm(FlaskForm):
    title = StringField(
        _l("Title of the interpretation"),
        validators=[DataRequired(message=_l("Give the interpretation a title.")), Length(max=300)],
    )
    background = TextAreaField(_l("Background"), validators=[Optional(), Length(max=TEXT_MAX)])
    goals = TextAreaField(_l("Goals"), validators=[Optional(), Length(max=TEXT_MAX)])
    key_measures = TextAreaField(_l("Key measures"), validators=[Optional(), Length(max=TEXT_MAX)])
    changes = TextAreaField(_l("What changed from the draft, and why"), validators=[Optional(), Length(max=TEXT_MAX)])
    revision_note = TextAreaField(
        _l("What this revision changes"),
        description=_l("Shown on the public page beside the revision date; the earlier version stays readable."),
        validators=[Optional(), Length(max=2000)],
    )


class FigureRowForm(Form):
    """One row of a figure's table: its label and a number for each series (no CSRF of its own)."""

    label = StringField(_l("Label"), validators=[Optional(), Length(max=80)])
    value_1 = FloatField(_l("Number 1"), validators=[Optional()])
    value_2 = FloatField(_l("Number 2"), validators=[Optional()])
    value_3 = FloatField(_l("Number 3"), validators=[Optional()])

    def values(self) -> list[float | None]:
        return [self[f"value_{index + 1}"].data for index in range(MAX_SERIES)]


class FigureForm(FlaskForm):
    title = StringField(
        _l("Title of the figure"), validators=[DataRequired(message=_l("Give the figure a title.")), Length(max=200)]
    )
    unit = StringField(_l("Unit (optional)"), validators=[Optional(), Length(max=40)])
    kind = SelectField(
        _l("Chart"),
        choices=[SelectChoice(kind.value, label) for kind, label in CHART_KIND_LABELS.items()],
        validators=[DataRequired()],
    )
    series_1 = StringField(_l("Name of column 1"), validators=[Optional(), Length(max=40)])
    series_2 = StringField(_l("Name of column 2"), validators=[Optional(), Length(max=40)])
    series_3 = StringField(_l("Name of column 3"), validators=[Optional(), Length(max=40)])
    rows = FieldList(FormField(FigureRowForm), min_entries=1, max_entries=MAX_ROWS)
    note = StringField(_l("Source of the figures (optional)"), validators=[Optional(), Length(max=300)])

    def series(self) -> list[str]:
        return [self[f"series_{index + 1}"].data or "" for index in range(MAX_SERIES)]


class ImageForm(FlaskForm):
    image = FileField(_l("Picture (JPEG or PNG)"))
    alt = StringField(
        _l("What the picture shows"),
        description=_l("Read out to readers who cannot see it."),
        validators=[DataRequired(message=_l("Say what the picture shows.")), Length(max=300)],
    )
    caption = StringField(_l("Caption (optional)"), validators=[Optional(), Length(max=300)])


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=4000)])
    reason = TextAreaField(_l("Reasons for returning it"), validators=[Optional(), Length(max=4000)])
