"""Exports of survey responses: the columns (one plan shared by every format), rows streamed from the database,
a codebook, and the .xlsx / .csv / SPSS .sav writers.

Columns, in question order: a single choice is one column (+ `code_other_text` when it offers "other"); a multiple
choice is one column listing the choices, then a 0/1 column per option (+ `code_other_text`); a matrix has a column
per row, a ranking a column per option (its rank), everything else one column. Values are option codes or, with
`labels`, option labels. Filters (surveys/result_filters.py) are applied in SQL, so a download never loads all
responses: CSV streams, XLSX goes through XlsxWriter's constant-memory mode, and .sav (pyreadstat needs a whole
data frame) is built from polars chunks and capped at SAV_ROW_LIMIT rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Text, cast, exists, or_

from core.exports import LOCAL_TZ, Sheet
from core.extensions import db
from surveys.answers import OTHER, matrix_rows
from surveys.models import Answer, Question, QuestionType, Response, Survey
from surveys.result_data import column_codes
from surveys.result_filters import Filters
from surveys.results import option_labels

BATCH = 1000  # responses read per query
SAV_ROW_LIMIT = 200_000  # pyreadstat writes a whole data frame: ~1 KiB per row of 50 columns in memory
_SPSS_NAME = re.compile(r"[^A-Za-z0-9_]")
CELL = Callable[[dict[str, Any], dict[str, str]], Any]


@dataclass
class ExportColumn:
    """One column: its variable name, a readable label, how to read it from a response, and SPSS details."""

    name: str
    label: str
    read: CELL  # (values by question code, other texts by code) -> cell value
    numeric: bool = False
    value_labels: dict[Any, str] = field(default_factory=dict)  # for .sav: numeric code -> label
    spss: Callable[[Any], Any] | None = None  # turns the cell (in codes) into the .sav value
    in_sav: bool = True


def variable_name(*parts: str) -> str:
    """A name SPSS and statistics packages accept: letters, digits and _, starting with a letter."""
    name = _SPSS_NAME.sub("_", "_".join(parts))
    return name if name[:1].isalpha() else f"v{name}"


def _numeric_codes(codes: list[str]) -> dict[str, int]:
    """SPSS value codes for option codes: the codes themselves when they are numbers, else 1..n."""
    if all(code.isdigit() for code in codes if code != OTHER):
        numbers = {code: int(code) for code in codes if code != OTHER}
    else:
        numbers = {code: n for n, code in enumerate((c for c in codes if c != OTHER), 1)}
    if OTHER in codes:
        numbers[OTHER] = max(numbers.values(), default=0) + 1
    return numbers


def _codes(question: Question) -> list[str]:
    codes = column_codes(question)
    return codes if question.setting("other") or OTHER not in codes else [c for c in codes if c != OTHER]


def _question_columns(question: Question, labels: bool) -> list[ExportColumn]:
    code, kind, text = question.code, question.type, question.text
    codes = _codes(question)
    label_of = dict(zip(codes, option_labels(question, codes), strict=True))
    shown = (lambda value: label_of.get(value, value)) if labels else (lambda value: value)
    numbers = _numeric_codes(codes)
    value_labels = {numbers[c]: label_of[c] for c in codes}
    to_number = numbers.get
    other = (
        [
            ExportColumn(
                f"{variable_name(code)}_other_text",
                f"{text} - {_('Other, please specify')}",
                lambda v, o: o.get(code, ""),
            )
        ]
        if question.setting("other")
        else []
    )
    if kind in (QuestionType.SINGLE, QuestionType.DROPDOWN):
        column = ExportColumn(variable_name(code), text, lambda v, o: shown(v.get(code)), True, value_labels, to_number)
        return [column, *other]
    if kind is QuestionType.MULTIPLE:
        joined = ExportColumn(variable_name(code), text, lambda v, o: " ".join(map(shown, v.get(code) or [])) or None)
        joined.in_sav = False  # its 0/1 columns say the same in numbers
        flags = [
            ExportColumn(
                variable_name(code, option),
                f"{text} - {label_of[option]}",
                lambda v, o, option=option: None if code not in v else int(option in v[code]),
                True,
                {0: _("Not chosen"), 1: _("Chosen")},
                lambda cell: cell,
            )
            for option in codes
        ]
        return [joined, *flags, *other]
    if kind is QuestionType.MATRIX:
        return [
            ExportColumn(
                variable_name(code, row["code"]),
                f"{text} - {row['label']}",
                lambda v, o, row=row["code"]: shown((v.get(code) or {}).get(row)),
                True,
                value_labels,
                to_number,
            )
            for row in matrix_rows(question)
        ]
    if kind is QuestionType.RANKING:
        return [
            ExportColumn(
                variable_name(code, option),
                f"{text} - {label_of[option]}",
                lambda v, o, option=option: _rank(v.get(code), option),
                True,
                {},
                lambda cell: cell,
            )
            for option in codes
        ]
    if kind in (QuestionType.NUMBER, QuestionType.SCALE, QuestionType.NPS):
        return [ExportColumn(variable_name(code), text, lambda v, o: v.get(code), True, {}, lambda cell: cell)]
    if kind is QuestionType.DATE:
        return [ExportColumn(variable_name(code), text, lambda v, o: v.get(code), False, {}, _as_date)]
    return [ExportColumn(variable_name(code), text, lambda v, o: v.get(code))]


def _rank(value: Any, option: str) -> int | None:
    return value.index(option) + 1 if isinstance(value, list) and option in value else None


def _as_date(cell: Any) -> date | None:
    try:
        return date.fromisoformat(cell) if isinstance(cell, str) else None
    except ValueError:
        return None


def export_columns(survey: Survey, labels: bool = False) -> list[ExportColumn]:
    """The response id, submission time and completeness, then every question's columns."""
    columns = [
        ExportColumn("response_id", _("Response number"), lambda v, o: None, True),
        ExportColumn("submitted_at", _("Submitted (Beijing time, to the hour)"), lambda v, o: None),
        ExportColumn("complete", _("Complete"), lambda v, o: None, True, {0: _("No"), 1: _("Yes")}),
    ]
    for question in survey.questions:
        if question.type.takes_answer:
            columns.extend(_question_columns(question, labels))
    seen: set[str] = set()
    for column in columns:  # two codes may sanitise to one name (a-b and a_b): number the later one
        base, n = column.name, 1
        while column.name.lower() in seen:
            n += 1
            column.name = f"{base}_{n}"
        seen.add(column.name.lower())
    return columns


def filtered_responses(survey: Survey, filters: Filters) -> Any:
    """A select of the (id, submitted_at, complete) of the responses that pass the filters, in id order."""
    query = db.select(Response.id, Response.submitted_at, Response.complete).where(Response.survey_id == survey.id)
    if filters.status != "all":
        query = query.where(Response.complete.is_(filters.status == "complete"))
    if filters.since:
        query = query.where(Response.submitted_at >= _utc_midnight(filters.since))
    if filters.until:
        query = query.where(Response.submitted_at < _utc_midnight(filters.until + timedelta(days=1)))
    if filters.question:
        # JSON as text: a single choice is stored as "code", a multiple choice as ["a", "code"]; codes have no quotes.
        stored = cast(Answer.value, Text)
        quoted = json.dumps(filters.option)
        query = query.where(
            exists().where(
                Answer.response_id == Response.id,
                Answer.question_code == filters.question,
                or_(stored == quoted, stored.like(f"%{quoted}%")),
            )
        )
    return query.order_by(Response.id)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


def response_count(survey: Survey, filters: Filters) -> int:
    subquery = filtered_responses(survey, filters).order_by(None).subquery()
    return db.session.scalar(db.select(db.func.count()).select_from(subquery)) or 0


def iter_answers(
    survey: Survey, filters: Filters
) -> Iterator[tuple[int, datetime, bool, dict[str, Any], dict[str, str]]]:
    """(id, submitted_at, complete, values, other texts) per response, reading BATCH responses per query."""
    connection = db.session.connection()
    memo: dict[str, Any] = {}
    responses = connection.execute(filtered_responses(survey, filters).execution_options(yield_per=BATCH))
    for batch in responses.partitions(BATCH):
        ids = [row[0] for row in batch]
        values: dict[int, dict[str, Any]] = {rid: {} for rid in ids}
        others: dict[int, dict[str, str]] = {rid: {} for rid in ids}
        query = db.select(Answer.response_id, Answer.question_code, cast(Answer.value, Text), Answer.other_text).where(
            Answer.response_id.in_(ids)
        )
        for response_id, code, text, other in connection.execute(query):
            values[response_id][code] = _decode(text, memo)
            if other:
                others[response_id][code] = other
        for response_id, submitted_at, complete in batch:
            yield response_id, _aware(submitted_at), bool(complete), values[response_id], others[response_id]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _decode(text: str | None, memo: dict[str, Any]) -> Any:
    """JSON text to a value; short texts (codes, numbers, lists of codes) repeat, so they are decoded once."""
    if text is None:
        return None
    if len(text) > 40:
        return json.loads(text)
    value = memo.get(text)
    if value is None:
        if len(memo) > 50_000:
            memo.clear()
        value = memo[text] = json.loads(text)
    return value


def iter_rows(survey: Survey, filters: Filters, columns: list[ExportColumn]) -> Iterator[list[Any]]:
    readers = [column.read for column in columns[3:]]
    for response_id, submitted_at, complete, values, others in iter_answers(survey, filters):
        yield [response_id, submitted_at, int(complete), *(read(values, others) for read in readers)]


def _options_text(question: Question) -> str:
    if question.type is QuestionType.MATRIX:
        rows = "; ".join(f"{row['code']}={row['label']}" for row in matrix_rows(question))
        columns = "; ".join(f"{o.code}={o.label}" for o in question.options)
        return f"{_('Rows')}: {rows} | {_('Columns')}: {columns}"
    codes = _codes(question)
    return "; ".join(f"{c}={label}" for c, label in zip(codes, option_labels(question, codes), strict=True))


def codebook_sheet(survey: Survey) -> Sheet:
    """One row per question: code, text, type, options (code=label), show-if, validation, required, columns."""
    header = [
        _("Code"),
        _("Question"),
        _("Type"),
        _("Options (code=label)"),
        _("Shown only if"),
        _("Validation"),
        _("Required"),
        _("Columns"),
    ]
    rows = [
        [
            q.code,
            q.text,
            q.type.value,
            _options_text(q) if q.type.has_options else _settings_text(q),
            q.show_if,
            q.validation,
            _("Yes") if q.required else _("No"),
            " ".join(c.name for c in _question_columns(q, False)),
        ]
        for q in survey.questions
    ]
    return Sheet(_("Codebook"), header, rows, kinds=["text", "wrap", "text", "wrap", "text", "text", "text", "wrap"])


def _settings_text(question: Question) -> str:
    keys = ("min_value", "max_value", "scale_min", "scale_max", "scale_min_label", "scale_max_label")
    return "; ".join(
        f"{key}={question.settings[key]}" for key in keys if (question.settings or {}).get(key) not in (None, "")
    )


def response_sheets(survey: Survey, filters: Filters, labels: bool) -> list[Sheet]:
    columns = export_columns(survey, labels)
    header = [column.label if labels else column.name for column in columns]
    kinds = ["number", "datetime", "number"]
    return [
        Sheet(_("Responses"), header, iter_rows(survey, filters, columns), kinds=kinds),
        codebook_sheet(survey),
    ]


def csv_parts(survey: Survey, filters: Filters, labels: bool) -> tuple[list[str], Iterator[list[Any]]]:
    columns = export_columns(survey, labels)
    header = [column.label if labels else column.name for column in columns]
    return header, iter_rows(survey, filters, columns)
