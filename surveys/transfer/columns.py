"""The columns of a survey response export, one plan shared by every format (surveys/transfer/exports.py):
each question's columns by its type, its cells computed a chunk of responses at a time, and what SPSS needs.

A single choice is one column (+ `code_other_text` when it offers "other"); a multiple choice is one column listing
the choices, then a 0/1 column per option (+ `code_other_text`); a matrix has a column per row, a ranking a column
per option (its rank), a repeat group its number of entries, everything else one column. Values are option codes
or, with `labels`, option labels. Option codes and labels are neutralised once per export, free text per cell,
numbers never.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from core.exports import neutralise_cell
from surveys.models import Question, QuestionType
from surveys.results.compute import option_labels
from surveys.results.data import column_codes
from surveys.results.stored_answers import Chunk
from surveys.taking.answers import OTHER, matrix_rows

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


def option_codes(question: Question) -> list[str]:
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


@dataclass(frozen=True)
class _Plan:
    """What every column of one question is made from, worked out once per export."""

    code: str
    text: str
    codes: list[str]  # its option codes, "other" only when the question offers it
    label_of: dict[str, str]
    shown: _Shown
    numeric: bool  # .sav: codes that are numbers stay numbers; others (`24/7`, `tidal flat`) stay text
    value_labels: dict[Any, str]
    to_number: Callable[[Any], Any] | None  # text codes go to .sav as they are
    answers: CELLS


def _plan(question: Question, labels: bool, safe: bool) -> _Plan:
    codes = option_codes(question)
    label_of = dict(zip(codes, option_labels(question, codes), strict=True))
    numeric = all(code.isdigit() for code in codes if code != OTHER)
    numbers = _numeric_codes(codes) if numeric else {code: code for code in codes}
    return _Plan(
        code=question.code,
        text=question.text,
        codes=codes,
        label_of=label_of,
        shown=_shown(question, codes, labels, safe),
        numeric=numeric,
        value_labels={numbers[c]: label_of[c] for c in codes},
        to_number=numbers.get if numeric else None,
        answers=_answers_to(question.code),
    )


def question_columns(question: Question, labels: bool, safe: bool = False) -> list[ExportColumn]:
    """The question's columns; `safe`: cells ready for a spreadsheet (for CSV and XLSX, not for .sav)."""
    plan = _plan(question, labels, safe)
    columns = _COLUMNS_BY_KIND.get(question.type, _free_columns)(plan, question)
    if question.type in _WITH_OTHER_TEXT and question.setting("other"):
        columns.append(_other_text_column(plan))
    return columns


def _other_text_column(plan: _Plan) -> ExportColumn:
    shown = plan.shown
    return ExportColumn(
        f"{column_name(plan.code)}_other_text",
        f"{plan.text} - {_('Other, please specify')}",
        lambda chunk: shown.free_cells([other.get(plan.code, "") for other in chunk.other]),
    )


def _choice_columns(plan: _Plan, question: Question) -> list[ExportColumn]:
    shown, answers = plan.shown, plan.answers
    cells: CELLS = lambda chunk: shown.cells(answers(chunk))  # noqa: E731
    return [ExportColumn(column_name(plan.code), plan.text, cells, plan.numeric, plan.value_labels, plan.to_number)]


def _multiple_columns(plan: _Plan, question: Question) -> list[ExportColumn]:
    """One column listing the choices (not in .sav), then a 0/1 column per option."""
    shown, answers = plan.shown, plan.answers
    joined = ExportColumn(column_name(plan.code), plan.text, lambda chunk: shown.joined_cells(answers(chunk)))
    joined.in_sav = False  # its 0/1 columns say the same in numbers
    flags = [
        ExportColumn(
            column_name(plan.code, option),
            f"{plan.text} - {plan.label_of[option]}",
            lambda chunk, option=option: [None if x is None else int(option in x) for x in answers(chunk)],
            True,
            {0: _("Not chosen"), 1: _("Chosen")},
            _keep,
        )
        for option in plan.codes
    ]
    return [joined, *flags]


def _matrix_columns(plan: _Plan, question: Question) -> list[ExportColumn]:
    shown, answers = plan.shown, plan.answers
    return [
        ExportColumn(
            column_name(plan.code, row["code"]),
            f"{plan.text} - {row['label']}",
            lambda chunk, row=row["code"]: shown.cells([(x or {}).get(row) for x in answers(chunk)]),
            plan.numeric,
            plan.value_labels,
            plan.to_number,
        )
        for row in matrix_rows(question)
    ]


def _ranking_columns(plan: _Plan, question: Question) -> list[ExportColumn]:
    """A column per option: the rank it was given, or empty."""
    answers = plan.answers
    return [
        ExportColumn(
            column_name(plan.code, option),
            f"{plan.text} - {plan.label_of[option]}",
            lambda chunk, option=option: [
                x.index(option) + 1 if x.__class__ is list and option in x else None for x in answers(chunk)
            ],
            True,
            {},
            _keep,
        )
        for option in plan.codes
    ]


def _repeat_columns(plan: _Plan, question: Question) -> list[ExportColumn]:
    """The number of entries; the entries have a sheet (a file) of their own."""
    answers = plan.answers
    count: CELLS = lambda chunk: [len(x) if x.__class__ is list else None for x in answers(chunk)]  # noqa: E731
    return [ExportColumn(column_name(plan.code), plan.text, count, True, {}, _keep)]


def _free_columns(plan: _Plan, question: Question) -> list[ExportColumn]:
    """Typed answers: numbers stay numbers in .sav, dates become dates, the rest is text."""
    shown, answers = plan.shown, plan.answers
    cells: CELLS = lambda chunk: shown.free_cells(answers(chunk))  # noqa: E731
    if question.type in (QuestionType.NUMBER, QuestionType.SCALE, QuestionType.NPS):
        return [ExportColumn(column_name(plan.code), plan.text, cells, True, {}, _keep)]
    if question.type is QuestionType.DATE:
        return [ExportColumn(column_name(plan.code), plan.text, cells, False, {}, _as_date)]
    return [ExportColumn(column_name(plan.code), plan.text, cells)]


_COLUMNS_BY_KIND: dict[QuestionType, Callable[[_Plan, Question], list[ExportColumn]]] = {
    QuestionType.SINGLE: _choice_columns,
    QuestionType.DROPDOWN: _choice_columns,
    QuestionType.MULTIPLE: _multiple_columns,
    QuestionType.MATRIX: _matrix_columns,
    QuestionType.RANKING: _ranking_columns,
    QuestionType.REPEAT: _repeat_columns,
}
_WITH_OTHER_TEXT = (QuestionType.SINGLE, QuestionType.DROPDOWN, QuestionType.MULTIPLE)


def _answers_to(code: str) -> CELLS:
    """The stored values of question `code` in a chunk (None when unanswered), computed once per chunk."""
    return lambda chunk: chunk.answers_to(code)


def _as_date(cell: Any) -> date | None:
    try:
        return date.fromisoformat(cell) if isinstance(cell, str) else None
    except ValueError:
        return None
