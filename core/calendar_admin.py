"""The admin enters the State Council holiday calendar for a year the installed package does not cover yet."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, NumberRange

from core import blueprints
from core.extensions import db
from core.holidays import STATUTORY_DAYS_OFF, CalendarYearError, IncompleteCalendarError, entered_years, replace_year
from core.routing import Routes
from core.workdays import PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR, CalendarTextError

bp = Routes(blueprints.admin, "/calendar")


class CalendarYearForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    days = TextAreaField(
        _l("Holidays and make-up working days"),
        validators=[DataRequired()],
        render_kw={"rows": 14, "placeholder": "2027-02-06 上班\n2027-02-10..2027-02-16 休"},
    )


def _incomplete_message(error: IncompleteCalendarError) -> str:
    missing = "、".join(day.isoformat() for day in error.missing)
    message = _(
        "This is not the whole calendar for %(year)d: a year's notice lists at least %(n)d days off, "
        "this text lists %(m)d.",
        year=error.year,
        n=STATUTORY_DAYS_OFF,
        m=error.days_off,
    )
    if missing:
        message += " " + _("These statutory holidays are missing: %(days)s.", days=missing)
    return message + " " + _("Paste the State Council's whole notice for the year.")


@bp.route("/", methods=["GET", "POST"], endpoint="calendar")
def index() -> Any:
    form = CalendarYearForm()
    if form.validate_on_submit():
        try:
            entered = replace_year(form.year.data, form.days.data)
        except CalendarTextError as error:
            form.days.errors = [
                _("Line %(n)d is not understood: %(line)s", n=error.line_number, line=error.line.strip())
            ]
        except CalendarYearError as error:
            form.days.errors = [_("%(day)s is not in the year being entered.", day=str(error))]
        except IncompleteCalendarError as error:
            form.days.errors = [_incomplete_message(error)]
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The calendar for %(year)d has been saved (%(num)d day).",
                    "The calendar for %(year)d has been saved (%(num)d days).",
                    entered.days,
                    year=form.year.data,
                ),
                "success",
            )
            if entered.flagged:
                flash(
                    _(
                        "%(n)d scheduled or open consultations are now shorter than their minimum period; "
                        "they are listed on their departments' dashboards.",
                        n=entered.flagged,
                    ),
                    "error",
                )
            return redirect(url_for("admin.calendar"))
    return render_template(
        "admin/calendar.html",
        form=form,
        entered=entered_years(),
        package_years=(PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR),
    )
