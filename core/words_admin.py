"""The admin page for the sensitive-word lists: add words by pasting them, remove them, per category."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from core import blueprints, words
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Role
from core.portal import StaffLink, register_staff_link
from core.routing import Routes

bp = Routes(blueprints.admin, "/words")

# Pasted lists come one per line, or separated by commas or the Chinese enumeration comma.
_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


@bp.record_once
def _register_link(state: BlueprintSetupState) -> None:
    register_staff_link(state.app, StaffLink("admin.words", _l("Sensitive words"), (Role.ADMIN,), order=917))


class AddWordsForm(FlaskForm):
    category = StringField(
        _l("Category"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"list": "categories", "autocapitalize": "none"},
    )
    words = TextAreaField(
        _l("Words"),
        validators=[DataRequired(), Length(max=50000)],
        description=_l("One per line, or separated by commas. Words already listed are skipped."),
        render_kw={"rows": 6},
    )


@bp.route("/", methods=["GET", "POST"], endpoint="words")
def index() -> Any:
    form = AddWordsForm()
    if form.validate_on_submit():
        try:
            added = words.add_words(form.category.data, _SEPARATORS.split(form.words.data), current_user)
        except words.WordListError:
            form.category.errors = [_("Use lower-case letters, digits and underscores, starting with a letter.")]
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)d word added. Screening uses it from now on.",
                    "%(num)d words added. Screening uses them from now on.",
                    len(added),
                ),
                "success",
            )
            return redirect(url_for("admin.words", _anchor=f"category-{words.check_category(form.category.data)}"))
    grouped = words.words_by_category()
    db.session.commit()  # the first visit copies the shipped list into the table
    return render_template(
        "admin/words.html", form=form, grouped=grouped, confirm=ConfirmForm(), category_label=words.category_label
    )


@bp.route("/remove", methods=["POST"], endpoint="remove_word")
def remove() -> Any:
    ConfirmForm().validate_on_submit()
    ids = [int(value) for value in request.form.getlist("word_id") if value.isdigit()]
    removed = words.remove_words(ids, current_user) if ids else []
    db.session.commit()
    flash(ngettext("%(num)d word removed.", "%(num)d words removed.", len(removed)), "success" if removed else "info")
    return redirect(url_for("admin.words"))
