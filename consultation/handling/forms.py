"""Forms of the moderation queue, the answers pages and the feedback page (staff only)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consultation import labels
from consultation.handling.answers import AnswerInput
from consultation.handling.participation_labels import (
    FORM_LABELS,
    PARTY_LABELS,
    PROCEDURE_LABELS,
    PROCEDURE_STATE_LABELS,
    REASON_CATEGORY_LABELS,
)
from consultation.models import Adoption, RejectionReason

MODERATION_ACTIONS = (
    SelectChoice("approve", _l("Approve (valid)")),
    SelectChoice("reject", _l("Reject with the reason below")),
    SelectChoice("validity:duplicate", _l("Mark invalid: duplicate")),
    SelectChoice("validity:irrelevant", _l("Mark invalid: irrelevant")),
    SelectChoice("validity:illegal", _l("Mark invalid: illegal or harmful content")),
    SelectChoice("merge", _l("Merge into one cluster")),
    SelectChoice("split", _l("Take out of the cluster")),
)


class IdsField(SelectMultipleField):
    """Checkbox values posted under one name (ids of rows on the page); any integer is accepted here,
    and the view loads only what the user may act on."""

    def pre_validate(self, form: FlaskForm) -> None:
        pass


class ModerationForm(FlaskForm):
    comment = IdsField(coerce=int)
    action = SelectField(_l("Action"), choices=list(MODERATION_ACTIONS), validators=[InputRequired()])
    reason = SelectField(
        _l("Reason for rejecting"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(reason.value, label) for reason, label in labels.REJECTION_LABELS.items()],
        validate_choice=False,  # checked below: only a rejection needs one
    )
    all_matching = BooleanField(_l("Apply to every comment matching the filter, not only the ticked ones"))
    confirmed = IdsField(coerce=int)  # flagged comments the moderator confirmed by name (moderation.approve)

    def validate_reason(self, field: SelectField) -> None:
        if self.action.data == "reject" and field.data not in {reason.value for reason in RejectionReason}:
            raise ValidationError(_l("Choose the reason for rejecting."))

    @property
    def rejection_reason(self) -> RejectionReason:
        return RejectionReason(self.reason.data)


def _adoption_choices() -> list[SelectChoice]:
    return [SelectChoice(adoption.value, label) for adoption, label in labels.ADOPTION_LABELS.items()]


class AnswerForm(FlaskForm):
    adoption = RadioField(_l("Answer"), choices=_adoption_choices(), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Required unless adopted; published in the feedback."),
    )
    change = TextAreaField(_l("Resulting change to the draft"), validators=[Optional(), Length(max=5000)])

    @property
    def answer(self) -> AnswerInput:
        return AnswerInput(Adoption(self.adoption.data), self.reason.data or "", self.change.data or "")


class BulkAnswerForm(AnswerForm):
    comment = IdsField(coerce=int)
    cluster = IdsField(coerce=int)


class AnswerTemplateForm(AnswerForm):
    department_id = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])
    category = SelectField(
        _l("Kind of reason"),
        choices=[SelectChoice(category.value, label) for category, label in REASON_CATEGORY_LABELS.items()],
        default="other",
    )
    title = StringField(_l("Name of the template"), validators=[DataRequired(), Length(max=200)])


class AnswerImportForm(FlaskForm):
    file = FileField(_l("The filled-in 意见处理表 (.xlsx)"), validators=[DataRequired()])


class FeedbackForm(FlaskForm):
    main_changes = TextAreaField(
        _l("Main changes to the draft"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Published with the feedback: what was changed in the draft because of the comments."),
        render_kw={"rows": 8},
    )


# ------------------------------------------------------------------------------------------------ participation


class ProcedureForm(FlaskForm):
    """One statutory procedure: done on a date with its record, or not required with the reason."""

    procedure = SelectField(_l("Procedure"), choices=[], validators=[InputRequired()])
    state = RadioField(_l("Carried out?"), choices=[], validators=[InputRequired()])
    done_on = DateField(lazy_pgettext("when it happened", "Date"), validators=[Optional()])
    announced_on = DateField(_l("Hearing announced to the public on"), validators=[Optional()])
    note = TextAreaField(
        _l("Result, or why it is not required"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Printed in the 征求意见情况说明."),
    )
    reference = StringField(_l("Record or file (address or file name)"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.procedure.choices = [SelectChoice(code.value, label) for code, label in PROCEDURE_LABELS.items()]
        self.state.choices = [SelectChoice(state.value, label) for state, label in PROCEDURE_STATE_LABELS.items()]
        self.announced_on.description = hearing_notice_hint()


class ParticipationAddForm(FlaskForm):
    """A targeted consultation or a meeting (座谈会, 听证会, 论证会)."""

    form = SelectField(_l("How"), choices=[], validators=[InputRequired()])
    party_kind = SelectField(_l("Who"), choices=[], validators=[InputRequired()])
    parties = TextAreaField(
        _l("Names of those consulted"), validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 2}
    )
    held_on = DateField(lazy_pgettext("when it happened", "Date"), validators=[Optional()])
    announced_on = DateField(_l("Hearing announced to the public on"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    people = IntegerField(_l("Number of people"), validators=[Optional(), NumberRange(min=1, max=100000)])
    opinions = TextAreaField(
        _l("Main opinions and how they were handled"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.form.choices = [SelectChoice(form.value, label) for form, label in FORM_LABELS.items()]
        self.party_kind.choices = [SelectChoice(kind.value, label) for kind, label in PARTY_LABELS.items()]
        self.announced_on.description = hearing_notice_hint()


def hearing_notice_hint() -> str:
    days = int(current_app.config["CONSULTATION_HEARING_NOTICE_DAYS"])
    return ngettext(
        "Hearings only: the day it was announced publicly, at least %(num)d day before it was held.",
        "Hearings only: the day it was announced publicly, at least %(num)d days before it was held.",
        days,
    )


class AddendumForm(FlaskForm):
    note = TextAreaField(
        _l("Note to the addendum"),
        validators=[Optional(), Length(max=5000)],
        description=_l("E.g. that these letters were posted before the deadline and arrived after the feedback."),
        render_kw={"rows": 3},
    )
