"""A survey as an XLSForm workbook (survey, choices, settings), which xlsform_import.py beside it reads back as the
same survey: every page is a field-list group, a matrix is the label + list-nolabel group idiom, ranges carry
their scale, and what XLSForm has no column for (NPS, scale end labels) goes in extra columns that other tools
ignore. Ranges, counts and whole numbers become `constraint` conjuncts, as XLSForm writes them.
"""

from __future__ import annotations

import re
from typing import IO, Any

from surveys.models import Question, QuestionType, Survey
from surveys.taking.answers import matrix_rows
from surveys.transfer.xlsform_expr import combine, conjuncts, join
from surveys.transfer.xlsform_import import INTEGER_RULE

SURVEY_COLUMNS = [
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "parameters",
    "minyi_type",
    "scale_min_label",
    "scale_max_label",
]
SIMPLE_TYPES = {
    QuestionType.SHORT_TEXT: "text",
    QuestionType.LONG_TEXT: "text",
    QuestionType.DATE: "date",
    QuestionType.NOTE: "note",
}


def _row_refs(source: str) -> str:
    """XLSForm has no matrix: a row ${m.r1} of ours is the question ${m_r1} there."""
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z0-9_]+)\}", r"${\1_\2}", source)


def _constraint(question: Question) -> str:
    settings, parts = question.settings or {}, []
    if question.type is QuestionType.NUMBER:
        validation = question.validation
        if settings.get("integer"):
            rest = conjuncts(validation) if validation else []
            integer = conjuncts(INTEGER_RULE)[0]
            validation = join([part for part in rest if part != integer])
        for key, op in (("min_value", ">="), ("max_value", "<=")):
            if settings.get(key) not in (None, ""):
                parts.append(f". {op} {settings[key]}")
        return combine([*parts, _row_refs(validation)])
    if question.type is QuestionType.MULTIPLE:
        for key, op in (("min_selections", ">="), ("max_selections", "<=")):
            if settings.get(key) not in (None, ""):
                parts.append(f"count-selected(.) {op} {int(settings[key])}")
    return combine([*parts, _row_refs(question.validation)])


def _row(question: Question, **cells: Any) -> dict[str, Any]:
    base = {
        "name": question.code,
        "label": question.text,
        "hint": question.help,
        "required": "yes" if question.required else "",
        "relevant": _row_refs(question.show_if),
        "constraint": _constraint(question),
        "constraint_message": question.validation_message,
    }
    return {**base, **cells}


def _question_rows(question: Question) -> list[dict[str, Any]]:
    kind, settings = question.type, question.settings or {}
    other = " or_other" if settings.get("other") else ""
    parameters = "randomize=true" if settings.get("shuffle") else ""
    if kind in (QuestionType.SINGLE, QuestionType.DROPDOWN):
        appearance = "minimal" if kind is QuestionType.DROPDOWN else ""
        return [_row(question, type=f"select_one {question.code}{other}", appearance=appearance, parameters=parameters)]
    if kind is QuestionType.MULTIPLE:
        return [_row(question, type=f"select_multiple {question.code}{other}", parameters=parameters)]
    if kind is QuestionType.RANKING:
        return [_row(question, type=f"rank {question.code}", parameters=parameters)]
    if kind is QuestionType.NUMBER:
        return [_row(question, type="integer" if settings.get("integer") else "decimal")]
    if kind in (QuestionType.SCALE, QuestionType.NPS):
        low, high = (
            (0, 10) if kind is QuestionType.NPS else (settings.get("scale_min", 1), settings.get("scale_max", 5))
        )
        return [
            _row(
                question,
                type="range",
                parameters=f"start={low} end={high} step=1",
                minyi_type="nps" if kind is QuestionType.NPS else "",
                scale_min_label=settings.get("scale_min_label", ""),
                scale_max_label=settings.get("scale_max_label", ""),
            )
        ]
    if kind is QuestionType.MATRIX:
        rows = [_row(question, type="begin_group", appearance="field-list", constraint="", required="")]
        rows.append(
            {
                "type": f"select_one {question.code}",
                "name": f"{question.code}_label",
                "label": question.text,
                "appearance": "label",
            }
        )
        for row in matrix_rows(question):
            rows.append(
                {
                    "type": f"select_one {question.code}",
                    "name": f"{question.code}_{row['code']}",
                    "label": row["label"],
                    "appearance": "list-nolabel",
                    "required": "yes" if question.required else "",
                }
            )
        rows.append({"type": "end_group"})
        return rows
    appearance = "multiline" if kind is QuestionType.LONG_TEXT else ""
    return [_row(question, type=SIMPLE_TYPES[kind], appearance=appearance)]


def write(survey: Survey, target: IO[bytes] | str) -> None:
    """Write the survey as an XLSForm .xlsx to a path or binary file."""
    import openpyxl  # here: ~30 MiB that only XLSForm transfers need, and create_app() must not load

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(SURVEY_COLUMNS)
    for number, page in enumerate(survey.pages, start=1):
        sheet.append(["begin_group", f"page_{number}", page.title, "", "", "", "", "", "field-list"])
        for question in page.questions:
            for row in _question_rows(question):
                sheet.append([row.get(column, "") or None for column in SURVEY_COLUMNS])
        sheet.append(["end_group"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for question in survey.questions:
        for option in question.options:
            choices.append([question.code, option.code, option.label])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([survey.title, survey.short_code, str(survey.version), "zh"])
    book.save(target)
