"""Staff pages for the figures and pictures of a 解读 (same blueprint as views.py)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consultation.decision import figures, labels, services
from consultation.decision.forms import FigureForm, ImageForm
from consultation.decision.models import ChartKind, Interpretation, InterpretationFigure, InterpretationImage
from consultation.decision.views import bp, flash_problems, load, load_interpretation, stored_image
from consultation.drafting import uploads
from consultation.drafting.services import WorkflowError
from consultation.permissions import can_edit
from core.extensions import db


def _to_edit(consultation_id: int) -> Any:
    return redirect(url_for("consultation_manage.edit_interpretation", consultation_id=consultation_id), code=303)


def _figure(interpretation: Interpretation, figure_id: int | None) -> InterpretationFigure | None:
    if figure_id is None:
        return None
    figure = db.session.get(InterpretationFigure, figure_id)
    if figure is None or figure.interpretation_id != interpretation.id:
        abort(404)
    return figure


def _figure_form(figure: InterpretationFigure | None) -> FigureForm:
    if request.method == "POST":
        return FigureForm()
    series = list(figure.series) if figure else []
    data: dict[str, Any] = {
        "title": figure.title if figure else "",
        "unit": figure.unit if figure else "",
        "kind": figure.kind.value if figure else ChartKind.BARS.value,
        "note": figure.note if figure else "",
        "rows": figures.form_rows(figure),
    }
    data.update({f"series_{index + 1}": name for index, name in enumerate(series)})
    return FigureForm(data=data)


@bp.route("/<int:consultation_id>/interpretation/figures/new", methods=["GET", "POST"])
@bp.route("/<int:consultation_id>/interpretation/figures/<int:figure_id>", methods=["GET", "POST"])
def figure(consultation_id: int, figure_id: int | None = None) -> Any:
    """A figure's table: a few rows of a label and up to three numbers, typed without JavaScript."""
    consultation = load(consultation_id, can_edit)
    interpretation = load_interpretation(consultation)
    existing = _figure(interpretation, figure_id)
    form = _figure_form(existing)
    problems: list[str] = []
    if form.validate_on_submit():
        rows = [figures.TableRow(row.form.label.data or "", row.form.values()) for row in form.rows]
        series, kept, codes = figures.read_table(form.series(), rows)
        values = {"title": form.title.data.strip(), "unit": (form.unit.data or "").strip(), "series": series,
                  "rows": kept, "kind": ChartKind(form.kind.data), "note": (form.note.data or "").strip()}  # fmt: skip
        try:
            if codes:
                raise WorkflowError(codes)
            services.save_figure(interpretation, current_user, values, existing)
        except WorkflowError as error:
            db.session.rollback()
            problems = [labels.problem_message(code) for code in error.problems]
        else:
            db.session.commit()
            flash(_("Figure saved."), "success")
            return _to_edit(consultation.id)
    preview = figures.chart(existing) if existing is not None else None
    return render_template(
        "consultation_manage/decision/figure.html",
        consultation=consultation,
        form=form,
        figure=existing,
        preview=preview,
        problems=problems,
    ), 400 if request.method == "POST" else 200


@bp.route("/<int:consultation_id>/interpretation/figures/<int:figure_id>/remove", methods=["POST"])
def remove_figure(consultation_id: int, figure_id: int) -> Any:
    consultation = load(consultation_id, can_edit)
    figure = _figure(load_interpretation(consultation), figure_id)
    assert figure is not None
    try:
        services.remove_figure(figure, current_user)
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error)
    else:
        db.session.commit()
        flash(_("Figure removed."), "success")
    return _to_edit(consultation.id)


@bp.route("/<int:consultation_id>/interpretation/images", methods=["POST"])
def add_image(consultation_id: int) -> Any:
    consultation = load(consultation_id, can_edit)
    interpretation = load_interpretation(consultation)
    form = ImageForm()
    stored = stored_image(form) if form.validate_on_submit() else None
    if stored is None:
        for field in (form.image, form.alt):
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "error")
        return _to_edit(consultation.id)
    try:
        services.add_image(interpretation, current_user, stored, form.alt.data or "", form.caption.data or "")
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error)
    else:
        db.session.commit()
        flash(_("Picture added."), "success")
    return _to_edit(consultation.id)


def _image(interpretation: Interpretation, image_id: int) -> InterpretationImage:
    image = db.session.get(InterpretationImage, image_id)
    if image is None or image.interpretation_id != interpretation.id:
        abort(404)
    return image


@bp.route("/<int:consultation_id>/interpretation/images/<int:image_id>/remove", methods=["POST"])
def remove_image(consultation_id: int, image_id: int) -> Any:
    consultation = load(consultation_id, can_edit)
    image = _image(load_interpretation(consultation), image_id)
    try:
        services.remove_image(image, current_user)
    except WorkflowError as error:
        db.session.rollback()
        flash_problems(error)
    else:
        db.session.commit()
        flash(_("Picture removed."), "success")
    return _to_edit(consultation.id)


@bp.route("/<int:consultation_id>/interpretation/images/<int:image_id>")
def image(consultation_id: int, image_id: int) -> Any:
    """A picture before publication, for the department's staff (checked by content when it was uploaded)."""
    consultation = load(consultation_id)
    item = _image(load_interpretation(consultation), image_id)
    return send_file(uploads.path_of(item.stored_name), mimetype=item.content_type, download_name=item.filename)
