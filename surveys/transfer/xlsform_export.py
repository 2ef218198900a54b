"""A survey as an XLSForm workbook (survey, choices, settings), which xlsform_import.py beside it reads back as the
same survey: every page is a field-list group, a matrix is the label + list-nolabel group idiom, ranges carry
their scale, and what XLSForm has no column for (NPS, scale end labels) goes in extra columns that other tools
ignore. Ranges, counts and whole numbers become `constraint` conjuncts, as XLSForm writes them. An imported
form goes back as it came: names and choice codes as written, labels and hints in every language, calculations,
choice filters and the choices' own columns.
"""

from __future__ import annotations

import re
from typing import IO, Any

from surveys.models import Question, QuestionType, Survey
from surveys.taking.answers import matrix_rows
from surveys.transfer.xlsform_expr import combine, conjuncts, from_choice_filter, join
from surveys.transfer.xlsform_kinds import INTEGER_RULE

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
    "calculation",
    "choice_filter",
    "repeat_count",
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


def _texts(question: Question) -> dict[str, Any]:
    """label, hint, constraint_message, required_message in every language the import kept ("" = no language)."""
    kept = question.xlsform or {}
    cells: dict[str, Any] = {"label": {"": question.text}, "hint": {"": question.help}}
    for column in ("label", "hint", "constraint_message", "required_message"):
        if kept.get(column):
            cells[column] = dict(kept[column])
    return cells


def _row(question: Question, **cells: Any) -> dict[str, Any]:
    base = {
        "name": question.code,
        **_texts(question),
        "required": "yes" if question.required else "",
        "relevant": _row_refs(question.show_if),
        "constraint": _constraint(question),
        "constraint_message": question.validation_message,
    }
    return {**base, **cells}


def _question_rows(question: Question, lists: dict[int, str]) -> list[dict[str, Any]]:
    kind, settings = question.type, question.settings or {}
    other = " or_other" if settings.get("other") else ""
    parameters = "randomize=true" if settings.get("shuffle") else ""
    if kind in (QuestionType.SINGLE, QuestionType.DROPDOWN):
        appearance = "minimal" if kind is QuestionType.DROPDOWN else ""
        return [
            _row(
                question,
                type=f"select_one {lists[question.id]}{other}",
                appearance=appearance,
                parameters=parameters,
                choice_filter=from_choice_filter(_row_refs(settings.get("choice_filter", ""))),
            )
        ]
    if kind is QuestionType.MULTIPLE:
        return [
            _row(
                question,
                type=f"select_multiple {lists[question.id]}{other}",
                parameters=parameters,
                choice_filter=from_choice_filter(_row_refs(settings.get("choice_filter", ""))),
            )
        ]
    if kind is QuestionType.RANKING:
        return [_row(question, type=f"rank {lists[question.id]}", parameters=parameters)]
    if kind is QuestionType.NUMBER:
        return [_row(question, type="integer" if settings.get("integer") else "decimal")]
    if kind is QuestionType.CALCULATE:
        return [_row(question, type="calculate", calculation=_row_refs(settings.get("calculation", "")), required="")]
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
        return _matrix_rows(question, lists[question.id])
    if kind is QuestionType.REPEAT:
        return _repeat_rows(question)
    appearance = "multiline" if kind is QuestionType.LONG_TEXT else ""
    return [_row(question, type=SIMPLE_TYPES[kind], appearance=appearance)]


MEMBER_TYPES = {"short_text": "text", "long_text": "text", "number": "decimal", "date": "date", "note": "note"}


def _member_list(question: Question, member: dict[str, Any]) -> str:
    return f"{question.code}-{member['code']}"


def _member_row(question: Question, member: dict[str, Any]) -> dict[str, Any]:
    """A member's row: its type (a select's list is the repeat's own), texts and expressions as imported."""
    kind = member["type"]
    if kind in ("single", "dropdown", "multiple"):
        word = "select_multiple" if kind == "multiple" else "select_one"
        kind_cell = f"{word} {_member_list(question, member)}"
    elif kind == "calculate":
        kind_cell = "calculate"
    else:
        kind_cell = "integer" if member.get("integer") else MEMBER_TYPES[kind]
    kept = member.get("xlsform") or {}
    return {
        "type": kind_cell,
        "name": member["code"],
        "label": dict(kept["label"]) if kept.get("label") else {"": member.get("text", "")},
        "hint": dict(kept["hint"]) if kept.get("hint") else {"": member.get("help", "")},
        "required": "yes" if member.get("required") else "",
        "relevant": _row_refs(member.get("show_if", "")),
        "constraint": _row_refs(member.get("validation", "")),
        "constraint_message": member.get("validation_message", ""),
        "calculation": _row_refs(member.get("calculation", "")),
        "choice_filter": from_choice_filter(_row_refs(member.get("choice_filter", ""))),
        "appearance": "minimal" if kind == "dropdown" else "multiline" if kind == "long_text" else "",
    }


def _repeat_rows(question: Question) -> list[dict[str, Any]]:
    """begin_repeat (with its repeat_count), a row per member (with its list of choices), end_repeat."""
    settings = question.settings or {}
    count = _row_refs(settings.get("repeat_count") or str(settings.get("max_instances") or ""))
    rows = [_row(question, type="begin_repeat", constraint="", required="", repeat_count=count)]
    rows.extend(_member_row(question, member) for member in settings.get("members", []))
    return [*rows, {"type": "end_repeat"}]


def _matrix_rows(question: Question, list_name: str) -> list[dict[str, Any]]:
    """The label + list-nolabel group, with the imported member rows' names and labels when there are some."""
    required = "yes" if question.required else ""
    kind = f"select_one {list_name}"
    rows = [_row(question, type="begin_group", appearance="field-list", constraint="", required="")]
    members = (question.xlsform or {}).get("members")
    if members:
        for member in members:
            look = member.get("appearance", "")
            rows.append(
                {
                    "type": kind,
                    "name": member["name"],
                    "label": member.get("label") or {"": ""},
                    "appearance": look,
                    "required": required if look != "label" else "",
                }
            )
        return [*rows, {"type": "end_group"}]
    rows.append({"type": kind, "name": f"{question.code}_label", "label": question.text, "appearance": "label"})
    for row in matrix_rows(question):
        rows.append(
            {
                "type": kind,
                "name": f"{question.code}_{row['code']}",
                "label": row["label"],
                "appearance": "list-nolabel",
                "required": required,
            }
        )
    return [*rows, {"type": "end_group"}]


TRANSLATED = ("label", "hint", "constraint_message", "required_message")


def _languages(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """For each translated column, its languages in the order met ("" first: the column without a language)."""
    found: dict[str, dict[str, None]] = {column: {"": None} for column in TRANSLATED}
    for row in rows:
        for column in TRANSLATED:
            value = row.get(column)
            for language in value if isinstance(value, dict) else ():
                if value[language]:
                    found[column][language] = None
    return {column: list(languages) for column, languages in found.items()}


def _header(column: str, language: str) -> str:
    return f"{column}::{language}" if language else column


def _cells(row: dict[str, Any], columns: list[tuple[str, str]]) -> list[Any]:
    cells = []
    for column, language in columns:
        value = row.get(column, "")
        if isinstance(value, dict):
            value = value.get(language, "")
        elif language:
            value = ""
        cells.append(value or None)
    return cells


def _table(rows: list[dict[str, Any]], plain: list[str]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a sheet: plain columns, each translated column once per language used."""
    languages = _languages(rows)
    columns: list[tuple[str, str]] = []
    for column in plain:
        if column in TRANSLATED:
            used = [lang for lang in languages[column] if lang or any(_has(row, column, "") for row in rows)]
            columns.extend((column, language) for language in used)
        else:
            columns.append((column, ""))
    return [_header(*column) for column in columns], [_cells(row, columns) for row in rows]


def _has(row: dict[str, Any], column: str, language: str) -> bool:
    value = row.get(column)
    return bool(value.get(language) if isinstance(value, dict) else value and not language)


def _list_names(survey: Survey) -> dict[int, str]:
    """Each select's choice list name: the imported one (questions sharing a list share it again, as pyxform's
    or_other expects), else the question's code; a name taken by other choices falls back to the code."""
    names: dict[int, str] = {}
    written: dict[str, tuple[str, ...]] = {}
    for question in survey.questions:
        if not question.type.has_options:
            continue
        codes = tuple(option.code for option in question.options)
        name = (question.xlsform or {}).get("list_name") or question.code
        if written.get(name, codes) != codes:
            name = question.code if written.get(question.code, codes) == codes else f"{question.code}-{question.id}"
        written[name] = codes
        names[question.id] = name
    return names


def _choice_rows(survey: Survey, lists: dict[int, str]) -> tuple[list[dict[str, Any]], list[str]]:
    rows, extra, done = [], {}, set()
    for question in survey.questions:
        for member in (question.settings or {}).get("members", []) if question.type is QuestionType.REPEAT else []:
            for code, label, *kept in member.get("options", []):
                label_cells = dict(kept[0]) if kept else {"": label}  # imported: as written, even none
                columns = kept[1] if len(kept) > 1 else {}  # what its choice filter reads
                extra.update(dict.fromkeys(columns))
                name = _member_list(question, member)
                rows.append({"list_name": name, "name": code, "label": label_cells, **columns})
        if question.id not in lists or lists[question.id] in done:
            continue
        done.add(lists[question.id])
        for option in question.options:
            kept = option.xlsform or {}
            columns = kept.get("columns") or {}
            extra.update(dict.fromkeys(columns))
            label = dict(kept.get("label") or {}) if option.xlsform is not None else {"": option.label}
            rows.append({"list_name": lists[question.id], "name": option.code, "label": label, **columns})
    return rows, ["list_name", "name", "label", *extra]


def write(survey: Survey, target: IO[bytes] | str) -> None:
    """Write the survey as an XLSForm .xlsx to a path or binary file."""
    import openpyxl  # here: ~30 MiB that only XLSForm transfers need, and create_app() must not load

    lists = _list_names(survey)
    rows: list[dict[str, Any]] = []
    for number, page in enumerate(survey.pages, start=1):
        rows.append({"type": "begin_group", "name": f"page_{number}", "label": page.title, "appearance": "field-list"})
        for question in page.questions:
            rows.extend(_question_rows(question, lists))
        rows.append({"type": "end_group"})
    book = openpyxl.Workbook()
    sheets = [("survey", _table(rows, SURVEY_COLUMNS)), ("choices", _table(*_choice_rows(survey, lists)))]
    imported = any(question.xlsform for question in survey.questions)
    settings = {"form_title": survey.title, "form_id": survey.short_code, "version": str(survey.version)}
    if not imported:
        settings["default_language"] = "zh"  # the builder writes Chinese; an import keeps its own languages
    sheets.append(("settings", (list(settings), [list(settings.values())])))
    book.remove(book.active)
    for title, (header, body) in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for line in body:
            sheet.append(line)
    book.save(target)
