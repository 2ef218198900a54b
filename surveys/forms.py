"""Forms of the survey builder, the review, and the final page of a questionnaire (with the captcha)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from core.captcha import CaptchaForm
from core.extensions import db
from core.forms import PHONE_PATTERN
from surveys.models import QuestionType

QUESTION_TYPE_LABELS = {
    QuestionType.SINGLE: _l("Single choice"),
    QuestionType.MULTIPLE: _l("Multiple choice"),
    QuestionType.DROPDOWN: _l("Dropdown"),
    QuestionType.SHORT_TEXT: _l("Short text"),
    QuestionType.LONG_TEXT: _l("Long text"),
    QuestionType.NUMBER: lazy_pgettext("question type", "Number"),
    QuestionType.DATE: lazy_pgettext("question type", "Date"),
    QuestionType.SCALE: _l("Rating scale"),
    QuestionType.NPS: _l("Net promoter score (0–10)"),
    QuestionType.MATRIX: _l("Matrix (one answer per row)"),
    QuestionType.RANKING: _l("Ranking"),
    QuestionType.NOTE: _l("Note (text only, no answer)"),
}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local: datetime) -> datetime:
    """A date and time typed in the district's time zone, as a UTC instant."""
    return local.replace(tzinfo=_zone()).astimezone(UTC)


def to_local(instant: datetime) -> datetime:
    return instant.astimezone(_zone()).replace(tzinfo=None)


class SurveyForm(FlaskForm):
    department_id = SelectField(_l("Sponsoring department"), coerce=int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    purpose = TextAreaField(_l("Purpose"), validators=[DataRequired(), Length(max=4000)])
    contact_phone = StringField(
        _l("Contact phone"), validators=[DataRequired(), Regexp(PHONE_PATTERN, message=_l("Enter a telephone number."))]
    )
    starts_at = DateTimeLocalField(_l("Opens (Beijing time)"), validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Closes (Beijing time)"), validators=[InputRequired()])
    response_cap = IntegerField(_l("Response cap"), validators=[Optional(), NumberRange(min=1)])
    closed_message = TextAreaField(_l("Message shown when closed"), validators=[Optional(), Length(max=2000)])
    anonymous = BooleanField(_l("Anonymous (no account or address is stored with answers)"), default=True)
    personal_fields = TextAreaField(
        _l("Personal data asked, one per line: field: purpose"), validators=[Optional(), Length(max=2000)]
    )
    consultation_id = IntegerField(_l("Part of consultation number"), validators=[Optional(), NumberRange(min=1)])

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The survey must close after it opens."))

    def validate_consultation_id(self, field: IntegerField) -> None:
        # The column is a foreign key: a number that is no consultation would fail at the database, not here.
        consultations = db.metadata.tables["consultations"]
        found = (
            field.data is not None
            and db.session.execute(
                db.select(consultations.c.department_id).where(consultations.c.id == field.data)
            ).first()
        )
        if not found:
            raise ValidationError(_l("There is no consultation with this number."))
        # A department's survey belongs to its own consultation: another department's record is not its to add to.
        if found.department_id != self.department_id.data:
            raise ValidationError(_l("This consultation belongs to another department."))

    def validate_personal_fields(self, field: TextAreaField) -> None:
        for line in (field.data or "").splitlines():
            name, sep, purpose = line.replace("：", ":").partition(":")
            if line.strip() and not (sep and name.strip() and purpose.strip()):
                raise ValidationError(_l("Write each personal field with its purpose, as field: purpose."))

    def model_fields(self) -> dict[str, Any]:
        """The form's data as Survey column values (UTC instants, personal fields as a list)."""
        lines = (line.replace("：", ":").partition(":") for line in (self.personal_fields.data or "").splitlines())
        return {
            "title": self.title.data.strip(),
            "purpose": self.purpose.data.strip(),
            "contact_phone": self.contact_phone.data.strip(),
            "starts_at": to_utc(self.starts_at.data),
            "ends_at": to_utc(self.ends_at.data),
            "response_cap": self.response_cap.data,
            "closed_message": (self.closed_message.data or "").strip(),
            "anonymous": bool(self.anonymous.data),
            "personal_fields": [
                {"field": name.strip(), "purpose": purpose.strip()} for name, sep, purpose in lines if sep
            ],
            "consultation_id": self.consultation_id.data,
        }

    def fill_from(self, survey: Any) -> None:
        self.process(obj=survey)
        self.starts_at.data, self.ends_at.data = to_local(survey.starts_at), to_local(survey.ends_at)
        self.personal_fields.data = "\n".join(f"{item['field']}: {item['purpose']}" for item in survey.personal_fields)


class PageForm(FlaskForm):
    title = StringField(_l("Page title"), validators=[Optional(), Length(max=200)])


SETTING_FIELDS = ("min_selections", "max_selections", "min_value", "max_value", "scale_min", "scale_max")


class QuestionForm(FlaskForm):
    page_id = SelectField(_l("Page"), coerce=int)
    type = SelectField(
        lazy_pgettext("survey question", "Type"),
        choices=[SelectChoice(kind.value, label) for kind, label in QUESTION_TYPE_LABELS.items()],
    )
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocapitalize": "off", "spellcheck": "false"},
    )
    text = TextAreaField(_l("Question text"), validators=[DataRequired(), Length(max=2000)])
    help = TextAreaField(_l("Help text"), validators=[Optional(), Length(max=2000)])
    required = BooleanField(_l("An answer is required"))
    show_if = StringField(_l("Show only if"), validators=[Optional(), Length(max=1000)])
    validation = StringField(_l("Validation rule"), validators=[Optional(), Length(max=1000)])
    validation_message = StringField(_l("Message when the rule fails"), validators=[Optional(), Length(max=300)])
    options = TextAreaField(_l("Options, one per line (code=label or just the label)"), validators=[Optional()])
    other = BooleanField(_l('Offer "Other, please specify"'))
    shuffle = BooleanField(_l("Shuffle the options for each respondent"))
    min_selections = IntegerField(_l("At least this many choices"), validators=[Optional(), NumberRange(min=0)])
    max_selections = IntegerField(_l("At most this many choices"), validators=[Optional(), NumberRange(min=1)])
    min_value = IntegerField(_l("Smallest number"), validators=[Optional()])
    max_value = IntegerField(_l("Largest number"), validators=[Optional()])
    scale_min = IntegerField(_l("Scale from"), validators=[Optional(), NumberRange(min=0, max=10)])
    scale_max = IntegerField(_l("Scale to"), validators=[Optional(), NumberRange(min=1, max=10)])
    scale_min_label = StringField(_l("Label of the lowest point"), validators=[Optional(), Length(max=50)])
    scale_max_label = StringField(_l("Label of the highest point"), validators=[Optional(), Length(max=50)])
    rows = TextAreaField(_l("Matrix rows, one per line (code=label or just the label)"), validators=[Optional()])

    def settings(self, rows: list[dict[str, str]]) -> dict[str, Any]:
        settings: dict[str, Any] = {name: getattr(self, name).data for name in SETTING_FIELDS}
        settings.update(
            scale_min_label=(self.scale_min_label.data or "").strip(),
            scale_max_label=(self.scale_max_label.data or "").strip(),
            other=bool(self.other.data),
            shuffle=bool(self.shuffle.data),
        )
        if rows:
            settings["rows"] = rows
        return {key: value for key, value in settings.items() if value not in (None, "", False)}

    def fill_from(self, question: Any) -> None:
        self.process(obj=question)
        self.type.data = question.type.value
        for name in (*SETTING_FIELDS, "scale_min_label", "scale_max_label", "other", "shuffle"):
            getattr(self, name).data = question.setting(name)
        self.rows.data = "\n".join(f"{row['code']}={row['label']}" for row in question.setting("rows", []))


class OptionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=300)])


class OptionsForm(FlaskForm):
    lines = TextAreaField(_l("Add options, one per line"), validators=[DataRequired()])


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("Note or reason for returning"), validators=[Optional(), Length(max=2000)])


class FinalPageForm(CaptchaForm):
    """The captcha of the last page; the answers themselves are read by surveys.taking.answers."""
