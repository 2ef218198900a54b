"""Staff pages of the drafting department: answer comments one by one, by cluster or in bulk, with templates,
through the exported spreadsheet, and publish the feedback. Editors of the consultation's department only."""

from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice

from consultation import blueprints, labels
from consultation.drafting.services import WorkflowError
from consultation.handling import addenda, answer_sheet, answers, feedback
from consultation.handling.forms import (
    AddendumForm,
    AnswerForm,
    AnswerImportForm,
    AnswerTemplateForm,
    BulkAnswerForm,
    FeedbackForm,
)
from consultation.handling.models import AnswerTemplate, ConsultationFeedback, ReasonCategory
from consultation.handling.participation_labels import REASON_CATEGORY_LABELS, STANDARD_REASONS
from consultation.models import Adoption, Comment, Consultation, Validity
from consultation.permissions import can_edit, can_view, require
from core import audit, outbox
from core.exports import XLSX_MIMETYPE, send_download, write_xlsx
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Department, Role
from core.routing import Routes

bp = Routes(blueprints.manage, "/consultations", Role.EDITOR, Role.APPROVER, Role.ADMIN)


def _load(consultation_id: int, *, edit: bool = True) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    require(can_edit(current_user, consultation) if edit else can_view(current_user, consultation))
    return consultation


def _flash_problems(error: WorkflowError) -> None:
    for code in error.problems:
        flash(labels.problem_message(code), "error")


def _to_answers(consultation: Consultation) -> Any:
    return redirect(url_for("consultation_manage.answers", consultation_id=consultation.id))


def _template(consultation: Consultation) -> AnswerTemplate | None:
    """The template named by ?template=, if it belongs to the consultation's department."""
    template_id = request.args.get("template", type=int)
    template = db.session.get(AnswerTemplate, template_id) if template_id else None
    return template if template is not None and template.department_id == consultation.department_id else None


def _prefill(form: AnswerForm, template: AnswerTemplate | None, comment: Comment | None = None) -> None:
    if request.method != "GET":
        return
    standard = STANDARD_REASONS.get(request.args.get("standard", ""))  # type: ignore[call-overload]
    if template is not None:
        form.adoption.data, form.reason.data, form.change.data = (
            template.adoption.value,
            template.reason,
            template.change,
        )
    elif standard:
        form.adoption.data, form.reason.data = Adoption.NOT_ADOPTED.value, standard
    elif comment is not None and comment.adoption is not None:
        form.adoption.data = comment.adoption.value
        form.reason.data, form.change.data = comment.answer_reason, comment.answer_change


@bp.route("/<int:consultation_id>/answers", endpoint="answers")
def answers_page(consultation_id: int, import_report: answer_sheet.ImportReport | None = None) -> Any:
    consultation = _load(consultation_id, edit=False)
    show = request.args.get("show", "unanswered")
    rows = answers.answer_rows(consultation)
    total = len(rows)
    if show == "unanswered":
        rows = [row for row in rows if not row.answered]
    elif show == "concentrated":
        rows = [row for row in rows if row.concentrated]
    template = _template(consultation)
    form = BulkAnswerForm(formdata=None)
    _prefill(form, template)
    return render_template(
        "consultation_manage/answers.html",
        consultation=consultation,
        rows=rows,
        total=total,
        show=show,
        form=form,
        import_form=AnswerImportForm(formdata=None),
        import_report=import_report,
        template_groups=answers.templates_by_category([consultation.department_id]),
        template=template,
        units={row.key: row.label for row in consultation.units},
        unanswered=answers.unanswered_count(consultation),
        may_edit=can_edit(current_user, consultation),
    ), 400 if import_report is not None else 200


@bp.route("/<int:consultation_id>/answers/bulk", methods=["POST"])
def bulk_answer(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    form = BulkAnswerForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _to_answers(consultation)
    selected = answers.selection(consultation, form.comment.data or [], form.cluster.data or [])
    try:
        count = answers.answer(consultation, selected, form.answer, current_user, how="bulk")
    except WorkflowError as error:
        db.session.rollback()
        _flash_problems(error)
        return _to_answers(consultation)
    db.session.commit()
    flash(ngettext("%(num)d comment answered.", "%(num)d comments answered.", count), "success")
    return _to_answers(consultation)


def _answer_page(consultation: Consultation, comments: list[Comment], how: str, cluster_id: int | None) -> Any:
    if not comments:
        abort(404)
    form = AnswerForm()
    _prefill(form, _template(consultation), comments[0])
    if form.validate_on_submit():
        try:
            answers.answer(consultation, comments, form.answer, current_user, how=how)
        except WorkflowError as error:
            db.session.rollback()
            for code in error.problems:
                form.reason.errors = [*form.reason.errors, labels.problem_message(code)]
        else:
            db.session.commit()
            flash(ngettext("%(num)d comment answered.", "%(num)d comments answered.", len(comments)), "success")
            return _to_answers(consultation)
    concentrated = answers.concentrated_ids(consultation)
    return render_template(
        "consultation_manage/answer.html",
        consultation=consultation,
        comments=comments,
        cluster_id=cluster_id,
        concentrated=any(comment.id in concentrated for comment in comments),
        form=form,
        template_groups=answers.templates_by_category([consultation.department_id]),
        units={row.key: row.label for row in consultation.units},
    ), 400 if form.errors else 200


@bp.route("/<int:consultation_id>/answers/comment/<int:comment_id>", methods=["GET", "POST"])
def answer_comment(consultation_id: int, comment_id: int) -> Any:
    consultation = _load(consultation_id)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.consultation_id != consultation.id:
        abort(404)
    # A late letter still awaiting moderation is answered here too: answering it accepts it (handling/addenda).
    if comment.validity is not Validity.VALID and not addenda.is_open_late(consultation, [comment]):
        abort(404)
    return _answer_page(consultation, [comment], "single", None)


@bp.route("/<int:consultation_id>/answers/cluster/<int:cluster_id>", methods=["GET", "POST"])
def answer_cluster(consultation_id: int, cluster_id: int) -> Any:
    consultation = _load(consultation_id)
    return _answer_page(consultation, answers.cluster_members(consultation, cluster_id), "cluster", cluster_id)


@bp.route("/<int:consultation_id>/answers.xlsx")
def export_answers(consultation_id: int) -> Any:
    consultation = _load(consultation_id, edit=False)
    audit.record("consultation.answers_export", consultation)
    db.session.commit()
    # Built in memory: one sheet of the valid comments of one consultation, a working file of modest size.
    buffer = io.BytesIO()
    write_xlsx(buffer, [answer_sheet.export_sheet(consultation)])
    return send_download(buffer.getvalue(), f"意见处理表-{consultation.id}.xlsx", XLSX_MIMETYPE)


@bp.route("/<int:consultation_id>/answers/import", methods=["POST"])
def import_answers(consultation_id: int) -> Any:
    consultation = _load(consultation_id)
    form = AnswerImportForm()
    file = form.file.data if form.validate_on_submit() else None
    if not isinstance(file, FileStorage) or not file.filename:
        flash(_("Choose the filled-in .xlsx file."), "error")
        return _to_answers(consultation)
    try:
        report = answer_sheet.import_answers(consultation, file.read(), file.filename, current_user)
    except answer_sheet.ImportRefused as refused:
        db.session.rollback()
        return answers_page(consultation.id, import_report=refused.report)
    except WorkflowError as error:
        db.session.rollback()
        _flash_problems(error)
        return _to_answers(consultation)
    db.session.commit()
    flash(
        _(
            "%(n)d answers imported; %(skipped)d rows left empty were skipped.",
            n=report.answered,
            skipped=report.skipped,
        ),
        "success",
    )
    return _to_answers(consultation)


# ------------------------------------------------------------------------------------------------ templates


def _template_departments() -> list[Department]:
    ids = current_user.department_ids(Role.EDITOR)
    return list(db.session.scalars(db.select(Department).where(Department.id.in_(ids)).order_by(Department.name)))


@bp.route("/answer-templates", methods=["GET", "POST"])
def answer_templates() -> Any:
    departments = _template_departments()
    require(bool(departments))
    form = AnswerTemplateForm()
    form.department_id.choices = [SelectChoice(d.id, d.name) for d in departments]
    if form.validate_on_submit():
        department = next(d for d in departments if d.id == form.department_id.data)
        try:
            answers.create_template(
                department, form.title.data, form.answer, current_user, ReasonCategory(form.category.data)
            )
        except WorkflowError as error:
            db.session.rollback()
            form.reason.errors = [labels.problem_message(code) for code in error.problems]
        else:
            db.session.commit()
            flash(_("The template was saved."), "success")
            return redirect(url_for("consultation_manage.answer_templates"))
    return render_template(
        "consultation_manage/answer_templates.html",
        form=form,
        templates=answers.templates_for(d.id for d in departments),
        category_labels=REASON_CATEGORY_LABELS,
        confirm=ConfirmForm(),
    ), 400 if form.errors else 200


@bp.route("/answer-templates/<int:template_id>/delete", methods=["POST"])
def delete_template(template_id: int) -> Any:
    template = db.session.get(AnswerTemplate, template_id)
    if template is None:
        abort(404)
    require(current_user.has_role(Role.EDITOR, template.department_id))
    ConfirmForm().validate_on_submit()
    answers.delete_template(template, current_user)
    db.session.commit()
    flash(_("The template was deleted."), "success")
    return redirect(url_for("consultation_manage.answer_templates"))


# ------------------------------------------------------------------------------------------------ feedback


@bp.route("/<int:consultation_id>/feedback", methods=["GET", "POST"])
def prepare_feedback(consultation_id: int) -> Any:
    consultation = _load(consultation_id, edit=request.method == "POST")
    record = db.session.get(ConsultationFeedback, consultation.id)
    form = FeedbackForm(data={"main_changes": record.main_changes if record else ""})
    if form.validate_on_submit():
        text = form.main_changes.data or ""
        try:
            if request.form.get("intent") == "publish":
                to_notify = feedback.publish(consultation, text, current_user)
            else:
                feedback.save_main_changes(consultation, text, current_user)
                to_notify = None
        except WorkflowError as error:
            db.session.rollback()
            _flash_problems(error)
            consultation = _load(consultation_id)
        else:
            # The e-mails join the publication's transaction: published and queued together, or neither.
            queued = feedback.notify_commenters(consultation, to_notify) if to_notify is not None else 0
            db.session.commit()
            if to_notify is None:
                flash(_("Saved."), "success")
                return redirect(url_for("consultation_manage.prepare_feedback", consultation_id=consultation.id))
            outbox.wake()
            flash(
                ngettext(
                    "The feedback is published; an e-mail to %(num)d commenter is queued.",
                    "The feedback is published; e-mails to %(num)d commenters are queued.",
                    queued,
                ),
                "success",
            )
            return redirect(url_for("consultation.feedback", consultation_id=consultation.id))
    due = feedback.due_date(consultation)
    return render_template(
        "consultation_manage/feedback.html",
        consultation=consultation,
        form=form,
        stats=feedback.statistics(consultation),
        problems=[
            labels.problem_message(code)
            for code in feedback.publication_problems(consultation, record.main_changes if record else "")
        ],
        due=due,
        due_provisional_years=feedback.due_provisional_years(consultation, due),
        record=record,
        may_edit=can_edit(current_user, consultation),
        late=addenda.late_comments(consultation),
        addenda=addenda.addenda(consultation),
        addendum_form=AddendumForm(formdata=None),
    )
