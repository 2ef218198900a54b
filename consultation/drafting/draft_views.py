"""Staff pages: import a draft, check its split (join, split, re-level, delete units), save it."""

from __future__ import annotations

from typing import Any

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import FileStorage

from consultation import labels
from consultation.drafting import correction, services
from consultation.drafting.split import (
    MAX_CHARACTERS,
    MAX_PARAGRAPHS,
    MAX_UNITS,
    NOT_COMMENTABLE,
    UNIT_KINDS,
    DraftFormatError,
    DraftUnit,
    split_document,
    split_text,
)
from consultation.drafting.views import _flash_problems, _load, _to_detail, bp
from consultation.forms import DraftImportForm, DraftUnitsForm
from consultation.models import Consultation
from consultation.permissions import can_edit, require
from core.extensions import db


@bp.route("/<int:consultation_id>/draft", methods=["GET", "POST"])
def import_draft(consultation_id: int) -> Any:
    """Step 1: paste or upload the draft; the split is shown for correction, nothing is saved yet."""
    consultation = _load(consultation_id)
    require(can_edit(current_user, consultation))
    form = DraftImportForm()
    if form.validate_on_submit():
        file: FileStorage | None = form.file.data
        try:
            if isinstance(file, FileStorage) and file.filename:
                units = split_document(file.filename, file.read())
            else:
                units = split_text(form.text.data or "")
        except DraftFormatError as error:
            form.file.errors = [_draft_format_message(error.code)]
        else:
            if units:
                return _render_units(consultation, _units_form(units))
            form.text.errors = [_("Paste the draft or choose a file.")]
    return render_template("consultation_manage/draft_import.html", consultation=consultation, form=form)


def _draft_format_message(code: str) -> str:
    messages = {
        "invalid_docx": _("The file is not a valid Word (.docx) document."),
        "unsupported_type": _("Upload a .docx, .md or .txt file (save old Word files as .docx)."),
        "undecodable": _("The text file could not be read; save it as UTF-8."),
        "empty": _("The file contains no text."),
        "too_long": _(
            "The draft is too long to split here (at most %(n)d characters in %(p)d paragraphs). "
            "Check that this is the right file.",
            n=MAX_CHARACTERS,
            p=MAX_PARAGRAPHS,
        ),
        "too_many_units": _(
            "The draft splits into more than %(n)d articles, items or paragraphs, too many to correct in one form. "
            "Check that this is the right file, or divide the draft.",
            n=MAX_UNITS,
        ),
    }
    return messages.get(code, _("The file could not be read."))


def _units_form(units: list[DraftUnit]) -> DraftUnitsForm:
    form = DraftUnitsForm(formdata=None)
    for unit in units:
        form.units.append_entry(
            {
                "key": unit.key,
                "kind": unit.kind,
                "parent": unit.parent or "",
                "number": unit.number,
                "title": unit.title,
                "text": unit.text,
            }
        )
    return form


def _render_units(consultation: Consultation, form: DraftUnitsForm, status: int = 200) -> Any:
    # Each unit is shown under its parent: the depth of its key in the chain of parents.
    parents = {entry.key.data: entry.parent.data or None for entry in form.units}
    depths = {key: _depth(key, parents) for key in parents}
    return render_template(
        "consultation_manage/draft_units.html",
        consultation=consultation,
        form=form,
        depths=depths,
        kind_options=_kind_options(),
        not_commentable=NOT_COMMENTABLE,
        split_mark=correction.SPLIT_MARK,
        max_units=MAX_UNITS,
    ), status


def _kind_options() -> dict[str, Markup]:
    """The <option>s of the level select (the choices of UnitForm.kind), made once per level: the form holds up
    to MAX_UNITS units, and WTForms' widgets took 0.7 s of CPU to render 刑法's 586 (bench/draft_split.py)."""
    choices = [(kind, str(labels.UNIT_KIND_LABELS[kind])) for kind in UNIT_KINDS]
    option = Markup('<option value="{}"{}>{}</option>')
    selected = Markup(" selected")
    return {
        chosen: Markup("").join(option.format(v, selected if v == chosen else "", text) for v, text in choices)
        for chosen, _text in choices
    }


def _depth(key: str, parents: dict[str, str | None]) -> int:
    depth, parent = 0, parents.get(key)
    while parent is not None and depth < 10:  # bounded: a hand-made form may loop
        depth, parent = depth + 1, parents.get(parent)
    return depth


def _edited(form: DraftUnitsForm) -> list[correction.Edited]:
    return [
        correction.Edited(
            DraftUnit(
                entry.key.data,
                entry.kind.data,
                (entry.number.data or "").strip(),
                (entry.title.data or "").strip(),
                (entry.text.data or "").strip(),
                entry.parent.data or None,
            ),
            delete=bool(entry.delete.data),
            merge=bool(entry.merge.data),
        )
        for entry in form.units
    ]


@bp.route("/<int:consultation_id>/draft/save", methods=["POST"])
def save_draft(consultation_id: int) -> Any:
    """Step 2: apply the editor's joins, splits, levels and deletions; show the result again, or store it."""
    consultation = _load(consultation_id)
    require(can_edit(current_user, consultation))
    form = DraftUnitsForm()
    if not form.validate_on_submit():
        return _render_units(consultation, form, 400)
    units = correction.apply(_edited(form))
    if request.form.get("action") == "apply" or len(units) > MAX_UNITS:
        checked = _units_form(units)
        if len(units) > MAX_UNITS:
            checked.form_errors.append(_draft_format_message("too_many_units"))
        return _render_units(consultation, checked)
    try:
        count = services.replace_units(consultation, units, current_user)
    except services.WorkflowError as error:
        db.session.rollback()
        _flash_problems(error)
        return _render_units(_load(consultation_id), form, 400)
    db.session.commit()
    flash(ngettext("The draft was saved: %(num)d unit.", "The draft was saved: %(num)d units.", count), "success")
    return _to_detail(consultation)
