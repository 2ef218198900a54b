"""The builder's rules: pages, questions and options of a survey, and what may change once answers exist.

Every function flushes and never commits; the view commits once. Every change is audited here, so no view
can forget it. A refused change raises BuilderError (the view rolls back and shows the message).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, func

from core import audit, integrity
from core.extensions import db
from surveys.models import Answer, Option, Question, QuestionType, Response, ReviewStatus, Survey, SurveyPage
from surveys.taking import conditions
from surveys.taking.answers import matrix_rows

CODE_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
OPTION_CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
SHORT_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from paper


class BuilderError(ValueError):
    """A change the builder refuses; `field` names the form field to show it next to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConditionError(BuilderError):
    """A show-if or validation expression that does not parse; `position` is where the parser stopped."""

    def __init__(self, field: str, source: str, error: conditions.ConditionSyntaxError) -> None:
        super().__init__(_(error.msgid, **error.params), field)  # the parser's messages are English msgids
        self.source = source
        self.position = error.position


def new_short_code() -> str:
    while True:
        code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _i in range(7))
        if db.session.scalar(db.select(Survey.id).where(Survey.short_code == code)) is None:
            return code


def require_editable(survey: Survey) -> None:
    if not survey.is_editable:
        raise BuilderError(_("This survey is in review or published. Reopen it for editing first."))


def create_survey(department_id: int, fields: dict[str, Any], user: Any) -> Survey:
    survey = Survey(
        department_id=department_id, short_code=new_short_code(), created_by_id=getattr(user, "id", None), **fields
    )
    survey.pages.append(SurveyPage(position=0, title=""))
    db.session.add(survey)
    audit.record("survey.create", survey, detail={"title": survey.title})
    return survey


def update_survey(survey: Survey, fields: dict[str, Any]) -> None:
    require_editable(survey)
    changed = {key: str(value) for key, value in fields.items() if getattr(survey, key) != value}
    for key, value in fields.items():
        setattr(survey, key, value)
    db.session.flush()
    audit.record("survey.update", survey, detail={"changed": changed})


# --- Answers already given: what they forbid. ---


def response_count(survey: Survey) -> int:
    query = db.select(func.count(Response.id)).where(Response.survey_id == survey.id, Response.complete.is_(True))
    return db.session.scalar(query) or 0


def stored_values(survey_id: int, code: str) -> list[Any]:
    query = (
        db.select(Answer.value)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey_id, Answer.question_code == code)
    )
    return list(db.session.scalars(query))


def _uses(value: Any, option_code: str) -> bool:
    if isinstance(value, list):
        return option_code in value
    if isinstance(value, dict):
        return option_code in value.values()
    return value == option_code


def option_in_use(question: Question, option_code: str) -> bool:
    return any(_uses(value, option_code) for value in stored_values(question.survey_id, question.code))


def _refuse_if_answered(question: Question, message: str) -> None:
    if stored_values(question.survey_id, question.code):
        raise BuilderError(message)


# --- Order and conditions. ---


def ordered_questions(survey: Survey) -> list[Question]:
    db.session.flush()
    db.session.expire(survey, ["pages"])
    for page in survey.pages:
        db.session.expire(page, ["questions"])
    return survey.questions


def parse_expression(field: str, source: str, known_codes: Iterable[str]) -> dict[str, Any] | None:
    """The JSON tree of an expression, or None when blank; ConditionError when it does not parse."""
    if not source.strip():
        return None
    try:
        return conditions.to_json(conditions.parse(source, known_codes=set(known_codes)))
    except conditions.ConditionSyntaxError as error:
        raise ConditionError(field, source, error) from None


def check_condition_order(survey: Survey) -> None:
    """Every condition must read only questions asked before it; refuse an order that breaks that."""
    earlier: set[str] = set()
    for question in ordered_questions(survey):
        for source in (question.show_if, question.validation):
            if not source:
                continue
            late = conditions.referenced_codes(conditions.parse(source)) - earlier
            if late:
                message = _(
                    "Question %(code)s depends on %(refs)s, which would no longer come before it.",
                    code=question.code,
                    refs=", ".join(sorted(late)),
                )
                raise BuilderError(message)
        earlier.add(question.code)


def renumber(items: list[Any]) -> None:
    for position, item in enumerate(items):
        item.position = position


def move_item(items: list[Any], item: Any, delta: int) -> bool:
    index = items.index(item)
    target = index + delta
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    renumber(items)
    return True


# --- Pages. ---


def add_page(survey: Survey, title: str) -> SurveyPage:
    require_editable(survey)
    page = SurveyPage(title=title, position=len(survey.pages))
    survey.pages.append(page)
    audit.record("survey.page_add", survey, detail={"title": title})
    return page


def rename_page(page: SurveyPage, title: str) -> None:
    require_editable(page.survey)
    page.title = title
    audit.record("survey.page_update", page.survey, detail={"page": page.id, "title": title})


def move_page(page: SurveyPage, delta: int) -> None:
    require_editable(page.survey)
    if move_item(list(page.survey.pages), page, delta):
        check_condition_order(page.survey)
    audit.record("survey.page_move", page.survey, detail={"page": page.id, "delta": delta})


def delete_page(page: SurveyPage) -> None:
    survey = page.survey
    require_editable(survey)
    if len(survey.pages) == 1:
        raise BuilderError(_("A survey needs at least one page."))
    for question in list(page.questions):
        _refuse_delete_question(question)
    survey.pages.remove(page)
    renumber(survey.pages)
    check_condition_order(survey)
    audit.record("survey.page_delete", survey, detail={"page": page.id, "title": page.title})


def duplicate_page(page: SurveyPage) -> SurveyPage:
    survey = page.survey
    require_editable(survey)
    copy = SurveyPage(title=page.title)
    survey.pages.insert(survey.pages.index(page) + 1, copy)
    renumber(survey.pages)
    db.session.flush()
    for question in page.questions:
        _copy_question(question, copy, len(copy.questions))
    audit.record("survey.page_duplicate", survey, detail={"page": page.id, "copy": copy.id})
    return copy


# --- Questions. ---


def _free_code(survey: Survey, base: str) -> str:
    taken = {question.code for question in survey.questions}
    n = 2
    while f"{base}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


COPIED_FIELDS = ("type", "text", "help", "required", "validation", "validation_message", "validation_tree",
                 "show_if", "show_if_tree")  # fmt: skip


def _copy_question(question: Question, page: SurveyPage, position: int) -> Question:
    copy = Question(
        survey_id=question.survey_id,
        code=_free_code(page.survey, question.code),
        settings=dict(question.settings or {}),
        position=position,
        **{name: getattr(question, name) for name in COPIED_FIELDS},
    )
    copy.options = [Option(code=o.code, label=o.label, position=o.position) for o in question.options]
    page.questions.insert(position, copy)
    renumber(page.questions)
    db.session.flush()
    return copy


def duplicate_question(question: Question) -> Question:
    require_editable(question.page.survey)
    copy = _copy_question(question, question.page, question.position + 1)
    audit.record("survey.question_duplicate", question.page.survey, detail={"code": question.code, "copy": copy.code})
    return copy


def _earlier_codes(survey: Survey, page: SurveyPage, question: Question | None) -> list[str]:
    """Codes of the questions before `question` (or before the end of `page` for a new one)."""
    codes: list[str] = []
    for other_page in survey.pages:
        for other in other_page.questions:
            if other is question:
                return codes
            codes.append(other.code)
        if other_page is page and question is None:
            return codes
    return codes


def save_question(survey: Survey, page: SurveyPage, question: Question | None, data: dict[str, Any]) -> Question:
    """Create or update a question from the builder form's data; refuses what would break answers or logic."""
    require_editable(survey)
    code = data["code"].strip()
    # An XLSForm name (checked by surveys/transfer) or an imported one left unchanged is kept as written.
    kept = data.get("exact_code") or (question is not None and code == question.code)
    if not kept and (not CODE_PATTERN.fullmatch(code) or "__" in code):
        raise BuilderError(_("Use letters, digits and _ only, starting with a letter (no double _)."), "code")
    if any(other.code == code and other is not question for other in survey.questions):
        raise BuilderError(_("Another question of this survey already uses this code."), "code")
    new_type = QuestionType(data["type"])
    if question is not None:
        if new_type is not question.type:
            _refuse_if_answered(question, _("The type cannot change: this question already has answers."))
        if code != question.code:
            _refuse_if_answered(question, _("The code cannot change: this question already has answers."))
            _refuse_if_referenced(survey, question)
        _refuse_removed_rows(question, data.get("settings", {}))
    moved = question is not None and question.page is not page
    earlier = _earlier_codes(survey, page, None if moved else question)
    show_if_tree = parse_expression("show_if", data["show_if"], earlier)
    validation_tree = parse_expression("validation", data["validation"], earlier)
    is_new = question is None
    if question is None:
        question = Question(survey_id=survey.id, position=len(page.questions))
        page.questions.append(question)
    elif moved:
        question.page.questions.remove(question)
        question.position = len(page.questions)
        page.questions.append(question)
    question.code, question.type = code, new_type
    question.text, question.help = data["text"], data.get("help", "")
    question.required = bool(data.get("required")) and new_type.takes_answer
    question.show_if, question.show_if_tree = data["show_if"].strip(), show_if_tree
    question.validation, question.validation_tree = data["validation"].strip(), validation_tree
    question.validation_message = data.get("validation_message", "")
    question.settings = data.get("settings", {})
    if moved:
        check_condition_order(survey)
    audit.record(
        "survey.question_create" if is_new else "survey.question_update",
        survey,
        detail={"code": code, "type": new_type.value},
    )
    return question


def _refuse_if_referenced(survey: Survey, question: Question) -> None:
    for other in survey.questions:
        for source in (other.show_if, other.validation):
            if source and question.code in conditions.referenced_codes(conditions.parse(source)):
                raise BuilderError(
                    _("Question %(other)s refers to this question; change its condition first.", other=other.code)
                )


def _refuse_removed_rows(question: Question, settings: dict[str, Any]) -> None:
    if question.type is not QuestionType.MATRIX:
        return
    kept = {row["code"] for row in settings.get("rows", [])}
    removed = {row["code"] for row in matrix_rows(question)} - kept
    answered_rows = {row for value in stored_values(question.survey_id, question.code) for row in (value or {})}
    if removed & answered_rows:
        raise BuilderError(_("Rows that already have answers cannot be removed."), "rows")


def _refuse_delete_question(question: Question) -> None:
    _refuse_if_answered(question, _("Question %(code)s already has answers and cannot be deleted.", code=question.code))
    _refuse_if_referenced(question.page.survey, question)


def delete_question(question: Question) -> None:
    survey = question.page.survey
    require_editable(survey)
    _refuse_delete_question(question)
    page = question.page
    page.questions.remove(question)
    renumber(page.questions)
    audit.record("survey.question_delete", survey, detail={"code": question.code})


def move_question(question: Question, delta: int) -> None:
    survey = question.page.survey
    require_editable(survey)
    if move_item(list(question.page.questions), question, delta):
        question.page.questions.sort(key=lambda item: item.position)
        check_condition_order(survey)
    audit.record("survey.question_move", survey, detail={"code": question.code, "delta": delta})


# Every answering page starts here: built once, the seal ledger's head read with the row.
_SURVEY_BY_ID = db.select(Survey, integrity.head_column()).where(Survey.id == bindparam("survey_id"))


def approved_survey(survey_id: int, *, verify: bool = True) -> Survey | None:
    """The survey if the public may see it (approved), else None.

    `verify=False` leaves checking its seal to the caller, which must do it (`integrity.require("survey", id)`)
    before it shows any of the survey's text: the answering pages do it when a page is rendered.
    """
    row = db.session.execute(_SURVEY_BY_ID, {"survey_id": survey_id}).one_or_none()
    if row is None:
        return None
    survey, head = row
    integrity.note_head(head)  # read with the row: verifying it asks the database nothing more
    if survey.status is not ReviewStatus.APPROVED:
        return None
    if verify:
        integrity.require("survey", survey.id)  # a 503 when its text is not what was approved
    return survey
