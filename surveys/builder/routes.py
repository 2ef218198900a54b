"""The builder's page, question and option routes on the staff blueprint: plain forms and POST buttons, no JS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from core.extensions import db
from surveys.builder import options, services
from surveys.builder.services import BuilderError, ConditionError
from surveys.builder.staff import bp, run
from surveys.forms import OptionForm, OptionsForm, PageForm, QuestionForm
from surveys.models import Option, Question, QuestionType, Survey, SurveyPage
from surveys.permissions import survey_for_staff_or_403

MOVES = {"up": -1, "down": 1}


def back(survey: Survey, anchor: str = "") -> str:
    return url_for("surveys_manage.edit", survey_id=survey.id) + (f"#{anchor}" if anchor else "")


def page_of(survey: Survey, page_id: int) -> SurveyPage:
    page = db.get_or_404(SurveyPage, page_id)
    if page.survey_id != survey.id:
        abort(404)
    return page


def question_of(survey: Survey, question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if question.survey_id != survey.id:
        abort(404)
    return question


def option_of(question: Question, option_id: int) -> Option:
    option = db.get_or_404(Option, option_id)
    if option.question_id != question.id:
        abort(404)
    return option


@bp.route("/<int:survey_id>/pages/new", methods=["POST"])
def add_page(survey_id: int) -> Any:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    title = (PageForm().title.data or "").strip()
    return run(lambda: services.add_page(survey, title), _("The page has been added."), back(survey))


@bp.route("/<int:survey_id>/pages/<int:page_id>/rename", methods=["POST"])
def rename_page(survey_id: int, page_id: int) -> Any:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    page = page_of(survey, page_id)
    title = (PageForm().title.data or "").strip()
    return run(lambda: services.rename_page(page, title), _("The page has been renamed."), back(survey))


@bp.route("/<int:survey_id>/pages/<int:page_id>/<any(up, down, duplicate, delete):action>", methods=["POST"])
def page_action(survey_id: int, page_id: int, action: str) -> Any:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    page = page_of(survey, page_id)
    actions = {
        "duplicate": (lambda: services.duplicate_page(page), _("The page has been duplicated.")),
        "delete": (lambda: services.delete_page(page), _("The page has been deleted.")),
    }
    do, message = actions.get(action, (lambda: services.move_page(page, MOVES[action]), _("The page has been moved.")))
    return run(do, message, back(survey))


@bp.route("/<int:survey_id>/questions/new", methods=["GET", "POST"])
@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
def question(survey_id: int, question_id: int | None = None) -> Any:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    existing = question_of(survey, question_id) if question_id else None
    form = QuestionForm()
    form.page_id.choices = [
        SelectChoice(page.id, page.title or _("Page %(n)d", n=index + 1)) for index, page in enumerate(survey.pages)
    ]
    if request.method == "GET":
        if existing is not None:
            form.fill_from(existing)
        form.page_id.data = existing.page_id if existing else request.args.get("page_id", survey.pages[0].id, type=int)
    error: ConditionError | None = None
    if form.validate_on_submit():
        try:
            saved = _save_question(survey, existing, form, page_of(survey, form.page_id.data))
        except ConditionError as refused:
            db.session.rollback()
            error = refused
            getattr(form, refused.field).errors = [refused.message]
        except BuilderError as refused:
            db.session.rollback()
            getattr(form, refused.field or "code").errors = [refused.message]
        else:
            db.session.commit()
            return run(lambda: None, _("The question has been saved."), back(survey, f"q-{saved.id}"))
    context = {"survey": survey, "question": existing, "form": form, "condition_error": error}
    return render_template("surveys_manage/question.html", **context)


@bp.route("/<int:survey_id>/questions/<int:question_id>/<any(up, down, duplicate, delete):action>", methods=["POST"])
def question_action(survey_id: int, question_id: int, action: str) -> Any:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    item = question_of(survey, question_id)
    actions = {
        "duplicate": (lambda: services.duplicate_question(item), _("The question has been duplicated.")),
        "delete": (lambda: services.delete_question(item), _("The question has been deleted.")),
    }
    moved = (lambda: services.move_question(item, MOVES[action]), _("The question has been moved."))
    do, message = actions.get(action, moved)
    return run(do, message, back(survey, f"q-{item.id}" if action != "delete" else ""))


@bp.route("/<int:survey_id>/questions/<int:question_id>/options", methods=["POST"])
def add_options(survey_id: int, question_id: int) -> Any:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    item = question_of(survey, question_id)
    lines = OptionsForm().lines.data or ""
    target = url_for("surveys_manage.question", survey_id=survey.id, question_id=item.id) + "#options"
    return run(lambda: options.add_options(item, lines), _("The options have been added."), target)


@bp.route("/<int:survey_id>/questions/<int:question_id>/options/<int:option_id>", methods=["POST"])
def update_option(survey_id: int, question_id: int, option_id: int) -> Any:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    item = question_of(survey, question_id)
    option = option_of(item, option_id)
    form = OptionForm()
    target = url_for("surveys_manage.question", survey_id=survey.id, question_id=item.id) + "#options"
    code, label = (form.code.data or "").strip(), (form.label.data or "").strip()
    if not label:
        return run(_raise(_("An option needs a label.")), "", target)
    return run(lambda: options.update_option(option, code, label), _("The option has been saved."), target)


option_path = "/<int:survey_id>/questions/<int:question_id>/options/<int:option_id>"


@bp.route(option_path + "/<any(up, down, duplicate, delete):action>", methods=["POST"])
def option_action(survey_id: int, question_id: int, option_id: int, action: str) -> Any:
    survey = survey_for_staff_or_403(survey_id, edit=True)
    item = question_of(survey, question_id)
    option = option_of(item, option_id)
    actions = {
        "duplicate": (lambda: options.duplicate_option(option), _("The option has been duplicated.")),
        "delete": (lambda: options.delete_option(option), _("The option has been deleted.")),
    }
    moved = (lambda: options.move_option(option, MOVES[action]), _("The option has been moved."))
    do, message = actions.get(action, moved)
    target = url_for("surveys_manage.question", survey_id=survey.id, question_id=item.id) + "#options"
    return run(do, message, target)


def _raise(message: str) -> Callable[[], None]:
    def refuse() -> None:
        raise BuilderError(message)

    return refuse


def _save_question(survey: Survey, existing: Question | None, form: QuestionForm, page: SurveyPage) -> Question:
    kind = QuestionType(form.type.data)
    rows: list[dict[str, str]] = []
    if kind is QuestionType.MATRIX:
        taken = {row["code"] for row in (existing.setting("rows", []) if existing else [])}
        items = options.parse_lines(form.rows.data or "")
        rows = [{"code": code, "label": label} for code, label in options.assign_codes(items, taken, prefix="r")]
        if not rows:
            raise BuilderError(_("A matrix needs at least one row."), "rows")
    data = {
        "code": form.code.data or "",
        "type": kind.value,
        "text": (form.text.data or "").strip(),
        "help": (form.help.data or "").strip(),
        "required": form.required.data,
        "show_if": form.show_if.data or "",
        "validation": form.validation.data or "",
        "validation_message": (form.validation_message.data or "").strip(),
        "settings": form.settings(rows),
    }
    saved = services.save_question(survey, page, existing, data)
    if existing is None and kind.has_options and (form.options.data or "").strip():
        options.add_options(saved, form.options.data or "")
    return saved
