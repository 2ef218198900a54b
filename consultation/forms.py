"""Forms of the consultation pages: the staff record, draft import and correction, review, and the comment form."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from consultation import labels
from consultation.comments.commenting import CommentInput
from consultation.drafting import periods
from consultation.drafting.split import MAX_UNITS, UNIT_KINDS
from consultation.models import Channel, CommentDisplay, RespondentType, SecrecyResult
from core.captcha import CaptchaForm
from core.forms import PHONE_PATTERN, MemoSelect

PHONE_MESSAGE = _l("Enter a telephone number.")


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes (accepted channels) instead of a multi-select, which is awkward on a phone."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def local_to_utc(value: datetime | None) -> datetime | None:
    """A datetime typed in Asia/Shanghai time, as the UTC instant stored."""
    return value.replace(tzinfo=periods.SHANGHAI).astimezone(UTC) if value is not None else None


def local_noon(day: date) -> datetime:
    """Noon of an Asia/Shanghai day, as a UTC instant: the time given to a letter received that day."""
    return datetime.combine(day, time(12), tzinfo=periods.SHANGHAI).astimezone(UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(periods.SHANGHAI).replace(tzinfo=None) if value is not None else None


class ConsultationForm(FlaskForm):
    department_id = SelectField(_l("Drafting department"), coerce=int, validators=[InputRequired()])
    title = StringField(
        _l("Title"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("As published, e.g. 《…办法（征求意见稿）》."),
    )
    doc_type = SelectField(_l("Document type"), validators=[DataRequired()])
    contact_phone = TelField(
        _l("Office phone for questions"),
        validators=[Optional(), Regexp(PHONE_PATTERN, message=PHONE_MESSAGE), Length(max=40)],
    )
    contact_email = EmailField(_l("E-mail for comments"), validators=[Optional(), Email(), Length(max=200)])
    contact_address = StringField(_l("Postal address for letters"), validators=[Optional(), Length(max=300)])
    intro = TextAreaField(_l("Notice text (征集说明): why, legal basis"), validators=[Optional(), Length(max=20000)])
    explanation = TextAreaField(_l("Drafting explanation (起草说明)"), validators=[Optional(), Length(max=100000)])
    interpretation = TextAreaField(_l("Policy interpretation (政策解读)"), validators=[Optional(), Length(max=100000)])
    channels = MultiCheckboxField(
        _l("Accepted channels"),
        choices=[SelectChoice(channel.value, label) for channel, label in labels.CHANNEL_LABELS.items()],
        default=[Channel.ONLINE.value],
    )
    start_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    end_date = DateField(_l("Last day for comments"), validators=[Optional()])
    shortening_reason = TextAreaField(
        _l("Reason for a period shorter than the minimum"), validators=[Optional(), Length(max=2000)]
    )
    comment_display = SelectField(
        _l("Comments on the public page"),
        choices=[SelectChoice(display.value, label) for display, label in labels.DISPLAY_LABELS.items()],
        default=CommentDisplay.HIDDEN.value,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.doc_type.choices = [
            SelectChoice(code, labels.document_type_label(code)) for code in periods.DOCUMENT_TYPES
        ]

    def model_fields(self) -> dict[str, Any]:
        """The values for the Consultation columns, start and end converted to UTC instants."""
        end_date = self.end_date.data
        return {
            "title": self.title.data.strip(),
            "doc_type": self.doc_type.data,
            "contact_phone": (self.contact_phone.data or "").strip(),
            "contact_email": (self.contact_email.data or "").strip(),
            "contact_address": (self.contact_address.data or "").strip(),
            "intro": self.intro.data or "",
            "explanation": self.explanation.data or "",
            "interpretation": self.interpretation.data or "",
            "channels": [Channel(value).value for value in self.channels.data or []],
            "start_at": local_to_utc(self.start_at.data),
            "end_at": periods.end_of_day(end_date) if end_date else None,
            "shortening_reason": (self.shortening_reason.data or "").strip(),
            "comment_display": CommentDisplay(self.comment_display.data),
        }


class DraftImportForm(FlaskForm):
    text = TextAreaField(_l("Paste the draft"), validators=[Optional(), Length(max=500000)])
    file = FileField(_l("Or upload a .docx, .md or .txt file"))


class UnitForm(Form):
    """One unit of the split as the editor corrects it; the key stays so comments keep their anchor."""

    key = HiddenField(validators=[DataRequired(), Regexp(r"^[a-z0-9-]{1,40}$")])
    kind = SelectField(_l("Level"), choices=[SelectChoice(kind, labels.UNIT_KIND_LABELS[kind]) for kind in UNIT_KINDS])
    parent = HiddenField(validators=[Optional(), Length(max=40)])
    number = StringField(lazy_pgettext("draft unit", "Number"), validators=[Optional(), Length(max=40)])
    title = StringField(_l("Heading"), validators=[Optional(), Length(max=300)])
    text = TextAreaField(_l("Text"), validators=[Optional(), Length(max=50000)])
    delete = BooleanField(_l("Delete this unit"))
    merge = BooleanField(_l("Join to the unit above"))


class DraftUnitsForm(FlaskForm):
    units = FieldList(FormField(UnitForm), min_entries=0, max_entries=MAX_UNITS)


class ReviewForm(FlaskForm):
    secrecy_result = RadioField(
        _l("Secrecy review (保密审查)"),
        choices=[SelectChoice(result.value, label) for result, label in labels.SECRECY_LABELS.items()],
        validators=[InputRequired()],
    )
    secrecy_note = TextAreaField(_l("Review note"), validators=[Optional(), Length(max=2000)])
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve and publish")),
            SelectChoice("return", _l("Return to the editor")),
        ],
        validators=[InputRequired()],
    )
    return_reason = TextAreaField(_l("Reason for returning"), validators=[Length(max=2000)])

    def validate_return_reason(self, field: TextAreaField) -> None:
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError(_l("Say why it is returned, so the editor knows what to change."))

    @property
    def result(self) -> SecrecyResult:
        return SecrecyResult(self.secrecy_result.data)


class ExtendForm(FlaskForm):
    new_end_date = DateField(_l("New last day for comments"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason for the extension"), validators=[DataRequired(), Length(max=2000)])


class AttachmentForm(FlaskForm):
    file = FileField(_l("File (PDF, Word, JPEG or PNG)"), validators=[DataRequired()])


def _respondent_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, label) for kind, label in labels.RESPONDENT_LABELS.items()]


@lru_cache(maxsize=256)
def _unit_options(choices: tuple[tuple[str, str], ...]) -> list[SelectChoice]:
    # A published draft's choices come from a per-process cache, so its options are made once, not per form.
    return [SelectChoice("", _l("The whole draft"))] + [SelectChoice(key, label) for key, label in choices]


class _CommentFields:
    """Fields shared by the resident's form and the staff form for letters, e-mails and meetings."""

    unit_key = SelectField(_l("Which part of the draft"), validate_choice=True, widget=MemoSelect())
    author_name = StringField(_l("Name or organisation"), validators=[Length(max=200)])
    respondent_type = SelectField(_l("You are"), choices=_respondent_choices(), default=RespondentType.INDIVIDUAL.value)
    phone = TelField(
        _l("Phone (optional)"),
        validators=[Optional(), Regexp(PHONE_PATTERN, message=PHONE_MESSAGE), Length(max=40)],
        render_kw={"autocomplete": "tel"},
    )
    email = EmailField(
        _l("E-mail (optional)"),
        validators=[Optional(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    content = TextAreaField(_l("Your comment"), validators=[DataRequired()])
    basis = TextAreaField(_l("Reasons or legal basis (optional)"), validators=[Optional(), Length(max=5000)])
    attachment = FileField(_l("Attachment (optional: PDF, Word, JPEG or PNG)"))

    def comment_input(self, **extra: Any) -> CommentInput:
        """What was typed, in the shape the intake service takes; `extra` adds the channel-specific fields."""
        return CommentInput(
            content=self.content.data,
            respondent_type=RespondentType(self.respondent_type.data),
            author_name=self.author_name.data or "",
            unit_key=self.unit_key.data or None,
            phone=self.phone.data or "",
            email=self.email.data or "",
            basis=self.basis.data or "",
            **extra,
        )

    def set_units(self, choices: tuple[tuple[str, str], ...]) -> None:
        self.unit_key.choices = _unit_options(choices)  # type: ignore[attr-defined]

    def validate_content(self, field: TextAreaField) -> None:
        limit = current_app.config["CONSULTATION_COMMENT_MAX_LENGTH"]
        if len(field.data or "") > limit:
            raise ValidationError(_l("At most %(limit)d characters (you wrote %(n)d).", limit=limit, n=len(field.data)))


class CommentForm(_CommentFields, CaptchaForm):
    submission_key = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    privacy_ack = BooleanField(
        _l("I have read the privacy notice and agree that my comment is processed as it describes."),
        validators=[DataRequired(message=_l("Please confirm that you have read the privacy notice."))],
    )
    publish_name = BooleanField(_l("My name may be published with my comment in the feedback"))
    notify_me = BooleanField(_l("E-mail me when the feedback is published"))

    def validate_author_name(self, field: StringField) -> None:
        if current_app.config["CONSULTATION_NAME_REQUIRED"] and not (field.data or "").strip():
            raise ValidationError(_l("Enter your name or your organisation's name."))

    def validate_notify_me(self, field: BooleanField) -> None:
        if field.data and not (self.email.data or "").strip():
            raise ValidationError(_l("Give an e-mail address to be notified."))


class OfflineCommentForm(_CommentFields, FlaskForm):
    channel = SelectField(
        _l("Received by"),
        choices=[
            SelectChoice(c.value, labels.CHANNEL_LABELS[c])
            for c in (Channel.LETTER, Channel.EMAIL, Channel.MEETING, Channel.PHONE)
        ],
    )
    received_on = DateField(_l("Date received"), validators=[InputRequired()])


class ReceiptLookupForm(CaptchaForm):
    receipt = StringField(
        _l("Receipt number"), validators=[DataRequired(), Length(max=40)], render_kw={"autocapitalize": "characters"}
    )
    # Optional: the receipt number alone shows the status; the contact given with the comment shows the answer too.
    contact = StringField(_l("The phone number or e-mail address you gave"), validators=[Optional(), Length(max=254)])
