"""The admin page for the search synonyms: add groups by pasting them one per line, remove ticked groups."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from core import blueprints, synonyms
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Role
from core.portal import StaffLink, register_staff_link
from core.routing import Routes

bp = Routes(blueprints.admin, "/synonyms")


@bp.record_once
def _register_link(state: BlueprintSetupState) -> None:
    register_staff_link(state.app, StaffLink("admin.synonyms", _l("Search synonyms"), (Role.ADMIN,), order=918))


class AddGroupsForm(FlaskForm):
    groups = TextAreaField(
        _l("Synonym groups"),
        validators=[DataRequired(), Length(max=50000)],
        description=_l("One group per line, its words separated by commas, e.g. 电动车，电动自行车，电瓶车."),
        render_kw={"rows": 5},
    )


@bp.route("/", methods=["GET", "POST"], endpoint="synonyms")
def index() -> Any:
    form = AddGroupsForm()
    if form.validate_on_submit():
        added = synonyms.add_groups(form.groups.data.splitlines(), current_user)
        db.session.commit()
        if added:
            flash(
                ngettext(
                    "%(num)d group added. Search uses it from now on.",
                    "%(num)d groups added. Search uses them from now on.",
                    len(added),
                ),
                "success",
            )
            return redirect(url_for("admin.synonyms"))
        form.groups.errors = [_("Nothing was added: give at least two words on a line, separated by commas.")]
    groups = synonyms.all_groups()
    db.session.commit()  # the first visit copies the shipped list into the table
    return render_template("admin/synonyms.html", form=form, groups=groups, confirm=ConfirmForm())


@bp.route("/remove", methods=["POST"], endpoint="remove_synonym")
def remove() -> Any:
    ConfirmForm().validate_on_submit()
    ids = [int(value) for value in request.form.getlist("group_id") if value.isdigit()]
    removed = synonyms.remove_groups(ids, current_user) if ids else []
    db.session.commit()
    flash(ngettext("%(num)d group removed.", "%(num)d groups removed.", len(removed)), "success" if removed else "info")
    return redirect(url_for("admin.synonyms"))
