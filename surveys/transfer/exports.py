"""Exports of survey responses: the columns (one plan shared by every format), rows streamed from the database,
a codebook, and the .xlsx / .csv / SPSS .sav writers.

Columns, in question order: a single choice is one column (+ `code_other_text` when it offers "other"); a multiple
choice is one column listing the choices, then a 0/1 column per option (+ `code_other_text`); a matrix has a column
per row, a ranking a column per option (its rank), everything else one column. Values are option codes or, with
`labels`, option labels. Filters (surveys/results/filters.py) are applied in SQL, so a download never loads all
responses: CSV streams, XLSX goes through XlsxWriter's constant-memory mode, and .sav (pyreadstat needs a whole
data frame) is built from polars chunks and capped at SAV_ROW_LIMIT rows.

Speed (a million responses to CSV in seconds, not minutes): responses are read a chunk at a time with their
answer documents (surveys/results/stored_answers.py), each column is computed for the whole chunk at once, and cells
are made spreadsheet-safe here, where it is known which can hold typed text: option codes and labels are
neutralised once per export, free text per cell, numbers never. The rows then go to core.exports as
NeutralisedRows, which writes them without checking every cell again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import Text, cast, exists, or_

from core import progress
from core.exports import LOCAL_TZ, NeutralisedRows, Sheet, local_time, neutralise_cell
from core.extensions import db
from surveys.models import Answer, Question, QuestionType, Response, Survey
from surveys.results.compute import option_labels
from surveys.results.data import column_codes
from surveys.results.filters import Filters
from surveys.results.stored_answers import Chunk, chunks, response_columns
from surveys.taking.answers import OTHER, matrix_rows

SAV_ROW_LIMIT = 200_000  # pyreadstat writes a whole data frame: ~1 KiB per row of 50 columns in memory
_SPSS_NAME = re.compile(r"[^A-Za-z0-9_]")
CELLS = Callable[[Chunk], list[Any]]


@dataclass
class ExportColumn:
    """One column: its variable name, a readable label, its cells for a chunk of responses, and SPSS details."""

    name: str
    label: str
    cells: CELLS  # one cell per response of the chunk, in order
    numeric: bool = False
    value_labels: dict[Any, str] = field(default_factory=dict)  # for .sav: numeric code -> label
    spss: Callable[[Any], Any] | None = None  # turns the cell (in codes) into the .sav value
    in_sav: bool = True


def column_name(*parts: str) -> str:
    """A column's name in CSV and .xlsx: the question code (and option or row code) exactly as written."""
    return "_".join(parts)


def variable_name(*parts: str) -> str:
    """A name SPSS accepts (.sav only): letters, digits and _, starting with a letter."""
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


_PLAIN = frozenset({int, float, type(None)})  # cells a spreadsheet can never read as a formula
JOINED_MEMO = 10_000  # distinct multiple-choice answers remembered per column


def _keep(value: Any) -> Any:
    return value


def _safe(value: Any) -> Any:
    """A cell for a spreadsheet: None and numbers as they are, anything else neutralised text."""
    return value if value.__class__ in _PLAIN else neutralise_cell(value)


@dataclass
class _Shown:
    """How one question's values become cells: option codes (or labels) mapped once, other values by `free`."""

    raw: dict[str, str]  # option code -> its code or label
    free: Callable[[Any], Any]  # _safe for a spreadsheet, else _keep: for typed text and unknown codes
    display: dict[str, str] = field(init=False)  # `raw` passed through `free` once
    _joined: dict[tuple[Any, ...], Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.display = {code: self.free(text) for code, text in self.raw.items()}

    def cells(self, values: list[Any]) -> list[Any]:
        display, free = self.display, self.free
        return [display[x] if x.__class__ is str and x in display else free(x) for x in values]

    def free_cells(self, values: list[Any]) -> list[Any]:
        if self.free is _keep:
            return values
        return [x if x.__class__ in _PLAIN else neutralise_cell(x) for x in values]

    def joined_cells(self, values: list[Any]) -> list[Any]:
        """A multiple choice as one cell: the codes (or labels) separated by spaces; each distinct answer once."""
        memo = self._joined
        if len(memo) > JOINED_MEMO:
            memo.clear()
        cells = []
        for value in values:
            key = tuple(value) if value.__class__ is list else None  # lists of codes (else join raises)
            cell = memo.get(key) if key is not None else None
            if cell is None:
                cell = self._joined_cell(value)
                if key is not None:
                    memo[key] = cell
            cells.append(cell)
        return cells

    def _joined_cell(self, value: Any) -> Any:
        raw = self.raw
        text = " ".join(raw[x] if x.__class__ is str and x in raw else x for x in value or [])
        return self.free(text) if text else None


def _shown(question: Question, codes: list[str], labels: bool, safe: bool) -> _Shown:
    label_of = dict(zip(codes, option_labels(question, codes), strict=True))
    return _Shown({code: label_of[code] if labels else code for code in codes}, _safe if safe else _keep)


def _question_columns(question: Question, labels: bool, safe: bool = False) -> list[ExportColumn]:
    """The question's columns; `safe`: cells ready for a spreadsheet (for CSV and XLSX, not for .sav)."""
    code, kind, text = question.code, question.type, question.text
    codes = _codes(question)
    label_of = dict(zip(codes, option_labels(question, codes), strict=True))
    shown = _shown(question, codes, labels, safe)
    # .sav: codes that are numbers stay numbers; other codes (`24/7`, `tidal flat`) stay text, with value labels.
    numeric = all(code.isdigit() for code in codes if code != OTHER)
    numbers = _numeric_codes(codes) if numeric else {code: code for code in codes}
    value_labels = {numbers[c]: label_of[c] for c in codes}
    to_number = numbers.get if numeric else None  # text codes go to .sav as they are
    answers = _answers_to(code)
    other = (
        [
            ExportColumn(
                f"{column_name(code)}_other_text",
                f"{text} - {_('Other, please specify')}",
                lambda chunk: shown.free_cells([other.get(code, "") for other in chunk.other]),
            )
        ]
        if question.setting("other")
        else []
    )
    if kind in (QuestionType.SINGLE, QuestionType.DROPDOWN):
        column = ExportColumn(
            column_name(code), text, lambda chunk: shown.cells(answers(chunk)), numeric, value_labels, to_number
        )
        return [column, *other]
    if kind is QuestionType.MULTIPLE:
        joined = ExportColumn(column_name(code), text, lambda chunk: shown.joined_cells(answers(chunk)))
        joined.in_sav = False  # its 0/1 columns say the same in numbers
        flags = [
            ExportColumn(
                column_name(code, option),
                f"{text} - {label_of[option]}",
                lambda chunk, option=option: [None if x is None else int(option in x) for x in answers(chunk)],
                True,
                {0: _("Not chosen"), 1: _("Chosen")},
                _keep,
            )
            for option in codes
        ]
        return [joined, *flags, *other]
    if kind is QuestionType.MATRIX:
        return [
            ExportColumn(
                column_name(code, row["code"]),
                f"{text} - {row['label']}",
                lambda chunk, row=row["code"]: shown.cells([(x or {}).get(row) for x in answers(chunk)]),
                numeric,
                value_labels,
                to_number,
            )
            for row in matrix_rows(question)
        ]
    if kind is QuestionType.RANKING:
        return [
            ExportColumn(
                column_name(code, option),
                f"{text} - {label_of[option]}",
                lambda chunk, option=option: [
                    x.index(option) + 1 if x.__class__ is list and option in x else None for x in answers(chunk)
                ],
                True,
                {},
                _keep,
            )
            for option in codes
        ]
    if kind is QuestionType.REPEAT:  # the number of entries; the entries have a sheet (a file) of their own
        count: CELLS = lambda chunk: [len(x) if x.__class__ is list else None for x in answers(chunk)]  # noqa: E731
        return [ExportColumn(column_name(code), text, count, True, {}, _keep)]
    cells: CELLS = lambda chunk: shown.free_cells(answers(chunk))  # noqa: E731
    if kind in (QuestionType.NUMBER, QuestionType.SCALE, QuestionType.NPS):
        return [ExportColumn(column_name(code), text, cells, True, {}, _keep)]
    if kind is QuestionType.DATE:
        return [ExportColumn(column_name(code), text, cells, False, {}, _as_date)]
    return [ExportColumn(column_name(code), text, cells)]


def _answers_to(code: str) -> CELLS:
    """The stored values of question `code` in a chunk (None when unanswered), computed once per chunk."""
    return lambda chunk: chunk.answers_to(code)


def _as_date(cell: Any) -> date | None:
    try:
        return date.fromisoformat(cell) if isinstance(cell, str) else None
    except ValueError:
        return None


def export_columns(survey: Survey, labels: bool = False, *, safe: bool = False, times_as_text: bool = False
                   ) -> list[ExportColumn]:  # fmt: skip
    """The response id, submission time and completeness, then every question's columns.

    `safe`: cells ready for a spreadsheet (neutralised); `times_as_text`: submission times as Beijing-time
    text (for CSV) rather than aware datetimes.
    """
    times: CELLS = _local_times() if times_as_text else lambda chunk: chunk.submitted_at
    columns = [
        ExportColumn("response_id", _("Response number"), lambda chunk: chunk.ids, True),
        ExportColumn("submitted_at", _("Submitted (Beijing time, to the hour)"), times, spss=_local_wall_clock),
        ExportColumn("complete", _("Complete"), lambda chunk: [int(c) for c in chunk.complete], True,
                     {0: _("No"), 1: _("Yes")}),
    ]  # fmt: skip
    for question in survey.questions:
        if question.type.takes_answer or question.type is QuestionType.CALCULATE:  # a calculation's value too
            columns.extend(_question_columns(question, labels, safe))
    seen: set[str] = set()
    for column in columns:  # `a` with option `b` and a question `a_b` make one name: number the later one
        base, n = column.name, 1
        while column.name.lower() in seen:
            n += 1
            column.name = f"{base}_{n}"
        seen.add(column.name.lower())
    return columns


def _local_wall_clock(instant: datetime) -> datetime:
    return instant.astimezone(LOCAL_TZ).replace(tzinfo=None)  # .sav has no time zones


def _local_times() -> CELLS:
    """Submission times as Beijing-time text; they are whole hours, so each distinct one is formatted once."""
    texts: dict[datetime, str] = {}

    def cells(chunk: Chunk) -> list[str]:
        if len(texts) > 100_000:
            texts.clear()
        return [texts.get(t) or texts.setdefault(t, local_time(t)) for t in chunk.submitted_at]

    return cells


def filtered_responses(survey: Survey, filters: Filters) -> Any:
    """A select of the responses that pass the filters (with what stored_answers.chunks reads), in id order."""
    query = db.select(Response).where(Response.survey_id == survey.id)
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
    return response_columns(query).order_by(Response.id)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


def response_count(survey: Survey, filters: Filters) -> int:
    subquery = filtered_responses(survey, filters).order_by(None).subquery()
    return db.session.scalar(db.select(db.func.count()).select_from(subquery)) or 0


def column_chunks(survey: Survey, filters: Filters, columns: list[ExportColumn]) -> Iterator[list[list[Any]]]:
    """Per chunk of responses, each column's cells."""
    return chunks(filtered_responses(survey, filters), lambda chunk: [column.cells(chunk) for column in columns])


def iter_rows(survey: Survey, filters: Filters, columns: list[ExportColumn]) -> Iterable[tuple[Any, ...]]:
    """The rows, counted as the writer takes them when an export job watches (core/progress.py)."""
    return progress.counted(
        row for cells in column_chunks(survey, filters, columns) for row in zip(*cells, strict=True)
    )


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
        pgettext("survey question", "Type"),
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
    columns = export_columns(survey, labels, safe=True)
    header = [column.label if labels else column.name for column in columns]
    kinds = ["number", "datetime", "number"]
    rows = NeutralisedRows(iter_rows(survey, filters, columns))
    from surveys.transfer.repeat_exports import repeat_sheets  # it reads filtered_responses from here

    return [Sheet(_("Responses"), header, rows, kinds=kinds), *repeat_sheets(survey, filters, labels),
            codebook_sheet(survey)]  # fmt: skip


def csv_parts(survey: Survey, filters: Filters, labels: bool) -> tuple[list[str], NeutralisedRows]:
    columns = export_columns(survey, labels, safe=True, times_as_text=True)
    header = [column.label if labels else column.name for column in columns]
    return header, NeutralisedRows(iter_rows(survey, filters, columns))
