"""Forms shared by the core pages: login, second factor, passwords, departments and staff accounts."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import Select

from core.models import Role

PHONE_PATTERN = r"^[0-9+()\- ]{5,40}$"


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        validators=[DataRequired(), Regexp(r"^\s*\d{6}\s*$", message=_l("Enter the six digits."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])


class ConfirmForm(FlaskForm):
    """An empty form for POST-only actions (logout, disable, revoke): CSRF is the point."""


class DepartmentForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[a-z0-9-]+$", message=_l("Lower-case letters, digits and hyphens only.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    office_phone = StringField(
        _l("Office phone"),
        validators=[Optional(), Regexp(PHONE_PATTERN, message=_l("Enter a telephone number."))],
    )
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    office_hours = StringField(_l("Office hours"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    is_active = BooleanField(_l("Shown in the public directory"), default=True)


ROLE_LABELS = {
    Role.EDITOR: _l("Editor (drafting department)"),
    Role.APPROVER: _l("Approver (department leader)"),
    Role.MODERATOR: _l("Moderator (portal office)"),
    Role.REVIEWER: _l("Legality reviewer (justice bureau)"),
    Role.ADMIN: _l("Administrator (portal office)"),
}


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=128)])


class MembershipForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()])
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=False)


@lru_cache(maxsize=8192)
def _option_html(value: str, label: str, selected: bool) -> Markup:
    return Markup('<option {}value="{}">{}</option>').format(Markup("selected ") if selected else "", value, label)


class MemoSelect(Select):
    """A <select> that remembers each rendered <option>: a draft's fifty articles are escaped once per process,
    not on every comment form (WTForms builds each option through its generic attribute renderer)."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value)
        return _option_html(value, str(choice.label or value), bool(choice.selected))
