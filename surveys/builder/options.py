"""Options of choice questions and the rows of a matrix: adding them from lines of text, editing, ordering.

Like surveys/builder/services.py, every function flushes and never commits, audits its change, and raises
BuilderError when the change would corrupt stored answers.
"""

from __future__ import annotations

from flask_babel import gettext as _

from core import audit
from surveys.builder.services import (
    OPTION_CODE_PATTERN,
    BuilderError,
    move_item,
    option_in_use,
    renumber,
    require_editable,
)
from surveys.models import Option, Question
from surveys.taking.answers import OTHER


def parse_lines(text: str) -> list[tuple[str | None, str]]:
    """Lines `code=label` or just `label` (code chosen later), blank lines skipped."""
    items: list[tuple[str | None, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        code, sep, label = line.partition("=")
        if sep and OPTION_CODE_PATTERN.fullmatch(code.strip()) and label.strip():
            items.append((code.strip(), label.strip()))
        else:
            items.append((None, line))
    return items


def assign_codes(items: list[tuple[str | None, str]], taken: set[str], prefix: str = "") -> list[tuple[str, str]]:
    """Give every item without a code the next free number (with `prefix`), keeping codes unique."""
    result: list[tuple[str, str]] = []
    used = set(taken) | {code for code, _label in items if code}
    n = 1
    for code, label in items:
        if code is None:
            while f"{prefix}{n}" in used:
                n += 1
            code = f"{prefix}{n}"
            used.add(code)
        result.append((code, label))
    return result


def _check_option_code(question: Question, code: str, option: Option | None = None) -> None:
    if not OPTION_CODE_PATTERN.fullmatch(code) or len(code) > 40:
        raise BuilderError(_("Use letters, digits, - and _ only."), "code")
    if code == OTHER and question.setting("other"):
        raise BuilderError(_("The code 'other' is kept for \"Other, please specify\"."), "code")
    if any(other.code == code and other is not option for other in question.options):
        raise BuilderError(_("Another option of this question already uses this code."), "code")


def add_options(question: Question, text: str) -> list[Option]:
    require_editable(question.page.survey)
    items = assign_codes(parse_lines(text), {option.code for option in question.options})
    added = []
    for code, label in items:
        _check_option_code(question, code)
        option = Option(code=code, label=label[:300], position=len(question.options))
        question.options.append(option)
        added.append(option)
    audit.record(
        "survey.option_add", question.page.survey, detail={"question": question.code, "codes": [o.code for o in added]}
    )
    return added


def update_option(option: Option, code: str, label: str) -> None:
    question = option.question
    require_editable(question.page.survey)
    code = code.strip()
    _check_option_code(question, code, option)
    if code != option.code and option_in_use(question, option.code):
        raise BuilderError(_("This option already has answers; its code cannot change."), "code")
    detail = {"question": question.code, "code": code, "was": option.code}
    option.code, option.label = code, label.strip()
    audit.record("survey.option_update", question.page.survey, detail=detail)


def delete_option(option: Option) -> None:
    question = option.question
    require_editable(question.page.survey)
    if option_in_use(question, option.code):
        raise BuilderError(_("This option already has answers and cannot be deleted."))
    question.options.remove(option)
    renumber(question.options)
    audit.record("survey.option_delete", question.page.survey, detail={"question": question.code, "code": option.code})


def move_option(option: Option, delta: int) -> None:
    question = option.question
    require_editable(question.page.survey)
    move_item(list(question.options), option, delta)
    question.options.sort(key=lambda item: item.position)
    audit.record("survey.option_move", question.page.survey, detail={"question": question.code, "code": option.code})


def duplicate_option(option: Option) -> Option:
    question = option.question
    require_editable(question.page.survey)
    [(code, _label)] = assign_codes([(None, option.label)], {o.code for o in question.options})
    copy = Option(code=code, label=option.label)
    question.options.insert(question.options.index(option) + 1, copy)
    renumber(question.options)
    audit.record("survey.option_duplicate", question.page.survey, detail={"question": question.code, "code": code})
    return copy
