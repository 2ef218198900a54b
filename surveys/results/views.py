"""Results pages: for staff (filters, cross-tabulation, free text) and, once published, for the public.

Staff: editors and approvers of the survey's department, moderators and administrators. Every view takes the
same filter parameters (surveys/results/filters.py), and its links and export buttons carry them on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from core import audit, integrity
from core.extensions import db
from core.forms import ConfirmForm
from core.models import Role
from core.routing import Routes
from core.screening import mask_personal_data, screen
from core.textstats import top_terms
from core.words import category_label
from surveys import blueprints
from surveys.models import Answer, Question, ReviewStatus, Survey
from surveys.permissions import may_publish_results, public_results_available, survey_for_results_or_403
from surveys.results import data as result_data
from surveys.results.compute import CROSSTAB_TYPES, crosstab, min_cell, option_labels, survey_results
from surveys.results.data import TEXT_TYPES
from surveys.results.filters import FILTER_TYPES, Filters

if TYPE_CHECKING:
    import numpy as np

bp = Routes(blueprints.manage, "", Role.EDITOR, Role.APPROVER, Role.MODERATOR, Role.ADMIN)
public_bp = Routes(blueprints.public, "/surveys")

TEXTS_PER_PAGE = 20
TOP_TERMS_SAMPLE = 3000  # the latest texts that the word counts read, so the page stays fast


def filtered(survey: Survey) -> tuple[result_data.Snapshot, Filters, np.ndarray]:
    snapshot = result_data.load(survey)
    filters = Filters.from_args(request.args, survey)
    return snapshot, filters, filters.mask(snapshot)


def _filter_choices(survey: Survey) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per question (its text, not its code: people read it), (value, label) of each option to filter by."""
    choices = []
    for question in survey.questions:
        if question.type in FILTER_TYPES:
            codes = result_data.column_codes(question)
            options = zip(codes, option_labels(question, codes), strict=True)
            choices.append((question.text, [(f"{question.code}:{code}", label) for code, label in options]))
    return choices


def _crosstab_questions(survey: Survey) -> list[Question]:
    return [question for question in survey.questions if question.type in CROSSTAB_TYPES]


@bp.route("/<int:survey_id>/results")
def results(survey_id: int) -> str:
    survey = survey_for_results_or_403(survey_id)
    snapshot, filters, keep = filtered(survey)
    return render_template(
        "surveys_manage/results/staff.html",
        survey=survey,
        filters=filters,
        respondents=int(keep.sum()),
        results=survey_results(survey, snapshot, keep),
        filter_choices=_filter_choices(survey),
        crosstab_questions=_crosstab_questions(survey),
        publish_form=ConfirmForm(),
        may_publish=may_publish_results(current_user, survey),
    )


@bp.route("/<int:survey_id>/results/crosstab")
def crosstab_view(survey_id: int) -> str:
    survey = survey_for_results_or_403(survey_id)
    snapshot, filters, keep = filtered(survey)
    by_code = {question.code: question for question in _crosstab_questions(survey)}
    rows, columns = by_code.get(request.args.get("rows", "")), by_code.get(request.args.get("columns", ""))
    table = crosstab(rows, columns, snapshot, keep) if rows and columns and rows is not columns else None
    return render_template(
        "surveys_manage/results/crosstab.html",
        survey=survey,
        filters=filters,
        table=table,
        crosstab_questions=list(by_code.values()),
        filter_choices=_filter_choices(survey),
        selected=(request.args.get("rows", ""), request.args.get("columns", "")),
    )


def _text_question(survey: Survey, code: str) -> Question:
    for question in survey.questions:
        if question.code == code and (question.type in TEXT_TYPES or question.setting("other")):
            return question
    abort(404)


def _texts(question: Question, response_ids: list[int]) -> dict[int, str]:
    """The free text (or "other" text) of each of these responses, read in chunks of 500 ids."""
    column = Answer.value if question.type in TEXT_TYPES else Answer.other_text
    texts: dict[int, str] = {}
    for start in range(0, len(response_ids), 500):
        chunk = response_ids[start : start + 500]
        query = db.select(Answer.response_id, column).where(
            Answer.response_id.in_(chunk), Answer.question_code == question.code
        )
        texts.update((rid, text) for rid, text in db.session.execute(query) if isinstance(text, str) and text)
    return texts


def _flag_label(flag: str) -> str:
    labels = {"personal_data": _("Personal data"), "link": _("Link"), "contact": _("Contact account")}
    if flag.startswith("sensitive:"):
        return _("Sensitive words: %(category)s", category=category_label(flag.removeprefix("sensitive:")))
    return labels.get(flag, flag)


@bp.route("/<int:survey_id>/results/text/<code>")
def texts(survey_id: int, code: str) -> str:
    """A question's free text, newest first: personal data masked, screening flags shown, and its top words."""
    survey = survey_for_results_or_403(survey_id)
    question = _text_question(survey, code)
    snapshot, filters, keep = filtered(survey)
    column = snapshot.columns[question.code]
    other = column.codes.index("other") if question.type not in TEXT_TYPES else 0
    answered = column.data if question.type in TEXT_TYPES else column.indicators()[:, other]
    ids = snapshot.response_ids[keep & answered][::-1].tolist()
    pages = max(1, -(-len(ids) // TEXTS_PER_PAGE))
    number = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    page_ids = ids[(number - 1) * TEXTS_PER_PAGE : number * TEXTS_PER_PAGE]
    page_texts = _texts(question, page_ids)
    items = []
    for response_id in page_ids:
        text = page_texts.get(response_id, "")
        flags = [_flag_label(flag) for flag in sorted(screen(text).flags)]
        items.append({"id": response_id, "text": mask_personal_data(text), "flags": flags})
    sample = list(_texts(question, ids[:TOP_TERMS_SAMPLE]).values())
    return render_template(
        "surveys_manage/results/texts.html",
        survey=survey,
        question=question,
        filters=filters,
        items=items,
        total=len(ids),
        number=number,
        pages=pages,
        terms=top_terms(sample, 30, extra_stopwords=[]),
        sampled=len(sample),
        sample_limit=TOP_TERMS_SAMPLE,
    )


@bp.route("/<int:survey_id>/results/publish", methods=["POST"])
def publish(survey_id: int) -> WerkzeugResponse:
    survey = survey_for_results_or_403(survey_id)
    if not may_publish_results(current_user, survey):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    publish_now = request.form.get("publish") == "1"
    if publish_now and survey.status is not ReviewStatus.APPROVED:
        flash(_("Only an approved survey can have public results."), "error")
        return redirect(url_for("surveys_manage.results", survey_id=survey.id))
    survey.results_published = publish_now
    audit.record("survey.results_publish" if publish_now else "survey.results_unpublish", survey)
    integrity.seal("survey.schedule", survey, current_user, reason="results")  # a SQL publication is refused
    db.session.commit()
    flash(_("The results are public.") if publish_now else _("The results are no longer public."), "success")
    return redirect(url_for("surveys_manage.results", survey_id=survey.id))


@public_bp.route("/<int:survey_id>/results")
def public_results(survey_id: int) -> str:
    """Charts and counts only: no free text, no filters, and counts under SURVEY_MIN_CELL shown as "<5"."""
    survey = db.get_or_404(Survey, survey_id)
    if not public_results_available(survey):
        abort(404)
    integrity.require("survey", survey.id)  # the questions and options shown are the approved ones, or a 503
    snapshot = result_data.load(survey)
    keep = snapshot.complete.copy()
    return render_template(
        "surveys/results/public.html",
        survey=survey,
        respondents=int(keep.sum()),
        results=survey_results(survey, snapshot, keep, public=True, min_cell=min_cell()),
        min_cell=min_cell(),
    )


def consultation_section(consultation_id: int) -> dict[str, Any]:
    """For the consultation page: its approved surveys, with the response count and the public results link."""
    surveys = db.session.scalars(
        db.select(Survey)
        .where(Survey.consultation_id == consultation_id, Survey.status == ReviewStatus.APPROVED)
        .order_by(Survey.starts_at)
    ).all()
    surveys = integrity.servable("survey", surveys)  # a linked survey's defaced title is never shown
    if not surveys:
        return {}
    items = []
    for survey in surveys:
        published = public_results_available(survey)
        respondents = int(result_data.load(survey).complete.sum()) if published else None
        items.append({"survey": survey, "published": published, "respondents": respondents})
    return {"linked_surveys": items, "min_cell": min_cell()}
