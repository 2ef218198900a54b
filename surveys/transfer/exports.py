"""Exports of survey responses: the columns (one plan shared by every format, each question's in
surveys/transfer/columns.py), rows streamed from the database, a codebook, and the .xlsx / .csv / SPSS .sav writers.

Columns, in question order, after the response number, its time and whether it is complete. Filters
(surveys/results/filters.py) are applied in SQL, so a download never loads all responses: CSV streams, XLSX goes
through XlsxWriter's constant-memory mode, and .sav (pyreadstat needs a whole data frame) is built from polars
chunks and capped at SAV_ROW_LIMIT rows.

Speed (a million responses to CSV in seconds, not minutes): responses are read a chunk at a time with their
answer documents (surveys/results/stored_answers.py), each column is computed for the whole chunk at once, and cells
are made spreadsheet-safe in columns.py, where it is known which can hold typed text: option codes and labels are
neutralised once per export, free text per cell, numbers never. The rows then go to core.exports as
NeutralisedRows, which writes them without checking every cell again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import Text, cast, exists, or_

from core import progress
from core.exports import LOCAL_TZ, NeutralisedRows, Sheet, local_time
from core.extensions import db
from surveys.models import Answer, Question, QuestionType, Response, Survey
from surveys.results.compute import option_labels
from surveys.results.filters import Filters
from surveys.results.stored_answers import Chunk, chunks, response_columns
from surveys.taking.answers import matrix_rows
from surveys.transfer.columns import CELLS, ExportColumn, option_codes, question_columns

SAV_ROW_LIMIT = 200_000  # pyreadstat writes a whole data frame: ~1 KiB per row of 50 columns in memory


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
            columns.extend(question_columns(question, labels, safe))
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
    codes = option_codes(question)
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
            " ".join(c.name for c in question_columns(q, False)),
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
