"""Per-question results and the two-way cross-tabulation, computed from the columns of surveys/results/data.py.

Every question gives a table (what the page shows beside the chart, and what a screen reader or a printer
gets) and a server-rendered SVG chart. For the public page `min_cell` hides every count from 1 to min_cell−1
("<5"), and a second count in the same table when only one is hidden, so that it cannot be worked out from
the total; hidden counts are left out of the charts, and averages or scores need min_cell answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

from core.charts import PALETTE, bar_chart, nps_gauge, nps_score, stacked_bars
from surveys.models import Question, QuestionType, Survey
from surveys.results.data import CHOICE_TYPES, NUMBER_TYPES, TEXT_TYPES, Column, Snapshot
from surveys.taking.answers import OTHER, matrix_rows, scale_range


def min_cell() -> int:
    """Counts under this (SURVEY_MIN_CELL) are hidden wherever results are public."""
    return int(current_app.config.get("SURVEY_MIN_CELL", 5))


if TYPE_CHECKING:
    import numpy as np

CROSSTAB_TYPES = (QuestionType.SINGLE, QuestionType.DROPDOWN, QuestionType.MULTIPLE)
_EPOCH = date(1970, 1, 1).toordinal()
_MAX_BINS = 10
_INTEGER_SPAN = 20


@dataclass
class Cell:
    count: int
    percent: float | None = None
    hidden: bool = False  # suppressed on the public page


@dataclass
class TableRow:
    label: str
    cells: list[Cell]
    extra: list[str] = field(default_factory=list)  # texts shown after the cells (e.g. a mean rank)


@dataclass
class QuestionResult:
    question: Question
    answered: int
    header: list[str]
    rows: list[TableRow]
    chart: Markup | None = None
    stats: list[tuple[str, str]] = field(default_factory=list)
    has_text: bool = False  # free text (or "other" texts) to read on the text page

    @property
    def any_hidden(self) -> bool:
        return any(cell.hidden for row in self.rows for cell in row.cells)


def option_labels(question: Question, codes: list[str]) -> list[str]:
    labels = {option.code: option.label for option in question.options}
    return [labels.get(code) or (_("Other") if code == OTHER else code) for code in codes]


def _share(count: int, base: int) -> float | None:
    return 100 * count / base if base else None


def suppress(cells: list[Cell], min_cell: int) -> None:
    """Hide counts 1..min_cell−1; when exactly one is hidden, also hide the next smallest non-zero one."""
    if min_cell <= 1:
        return
    small = [cell for cell in cells if 0 < cell.count < min_cell]
    for cell in small:
        cell.hidden = True
    if len(small) == 1:
        others = sorted((cell for cell in cells if cell.count and not cell.hidden), key=lambda c: c.count)
        if others:
            others[0].hidden = True


def _visible(items: list[tuple[str, Cell]]) -> list[tuple[str, float]]:
    return [(label, cell.count) for label, cell in items if not cell.hidden]


def _choice(question: Question, column: Column, keep: np.ndarray, min_cell: int) -> QuestionResult:
    answered = int((column.answered & keep).sum())
    counts = column.indicators()[keep].sum(axis=0)
    labels = option_labels(question, column.codes)
    items = [
        (label, Cell(int(count), _share(int(count), answered)))
        for code, label, count in zip(column.codes, labels, counts, strict=True)
        if code != OTHER or question.setting("other") or count
    ]
    suppress([cell for _label, cell in items], min_cell)
    title = question.text
    chart = bar_chart(_visible(items), title=title, percent_of=answered or None, no_data=_("No answers yet"))
    note = (
        _("Percentages of respondents; more than one answer possible.") if column.kind is QuestionType.MULTIPLE else ""
    )
    result = QuestionResult(question, answered, [_("Option"), _("Count"), _("Percent")], [], chart)
    result.rows = [TableRow(label, [cell]) for label, cell in items]
    if note:
        result.stats.append((_("Note"), note))
    result.has_text = bool(question.setting("other"))
    return result


def _matrix(question: Question, column: Column, keep: np.ndarray, min_cell: int) -> QuestionResult:
    import numpy as np  # numpy is imported on use: create_app() must not load it

    data = column.data[keep]
    columns = option_labels(question, column.codes)
    row_labels = {row["code"]: row["label"] for row in matrix_rows(question)}
    result = QuestionResult(question, int((column.answered & keep).sum()), [_("Row"), *columns], [])
    chart_rows = []
    for index, row_code in enumerate(column.rows):
        answers = data[:, index]
        counts = np.bincount(answers[answers >= 0], minlength=len(columns))[: len(columns)]
        total = int(counts.sum())
        cells = [Cell(int(count), _share(int(count), total)) for count in counts]
        suppress(cells, min_cell)
        label = row_labels.get(row_code, row_code)
        result.rows.append(TableRow(label, cells))
        chart_rows.append((label, [0 if cell.hidden else cell.count for cell in cells]))
    if len(columns) <= len(PALETTE):
        result.chart = stacked_bars(chart_rows, columns, title=question.text, no_data=_("No answers yet"))
    result.stats.append((_("Note"), _("Percentages of the answers to each row.")))
    return result


def _ranking(question: Question, column: Column, keep: np.ndarray, min_cell: int) -> QuestionResult:
    data = column.data[keep]
    ranked = data[(data > 0).any(axis=1)]
    labels = option_labels(question, column.rows)
    answered = len(ranked)
    firsts = [
        Cell(int((ranked[:, i] == 1).sum()), _share(int((ranked[:, i] == 1).sum()), answered))
        for i in range(len(labels))
    ]
    suppress(firsts, min_cell)
    means = []
    for index in range(len(labels)):
        positions = ranked[:, index][ranked[:, index] > 0]
        means.append(float(positions.mean()) if len(positions) and answered >= min_cell else None)
    result = QuestionResult(question, answered, [_("Option"), _("Ranked first"), _("Percent"), _("Mean rank")], [])
    for label, cell, mean in zip(labels, firsts, means, strict=True):
        result.rows.append(TableRow(label, [cell], [f"{mean:.2f}" if mean is not None else "—"]))
    order = sorted(
        ((label, mean) for label, mean in zip(labels, means, strict=True) if mean is not None), key=lambda item: item[1]
    )
    result.chart = bar_chart(order, title=question.text, value_format="{:.2f}", no_data=_("No answers yet"))
    result.stats.append((_("Note"), _("Mean rank: 1 is the most important; lower is better.")))
    return result


def _bins(values: np.ndarray, question: Question) -> list[tuple[str, int]]:
    """(label, count) per value for short integer scales, else per equal-width bin."""
    import numpy as np  # numpy is imported on use: create_app() must not load it

    if question.type in (QuestionType.SCALE, QuestionType.NPS):
        low, high = scale_range(question)
        counts = np.bincount((values - low).astype(int).clip(0, high - low), minlength=high - low + 1)
        return [(str(low + i), int(count)) for i, count in enumerate(counts)]
    if not len(values):
        return []
    low, high = float(values.min()), float(values.max())
    if np.all(values == np.round(values)) and high - low <= _INTEGER_SPAN:
        counts = np.bincount((values - low).astype(int))
        return [(f"{low + i:g}", int(count)) for i, count in enumerate(counts)]
    if low == high:
        return [(f"{low:g}", len(values))]
    edges = np.linspace(low, high, _MAX_BINS + 1)
    counts, _edges = np.histogram(values, edges)
    return [(f"{edges[i]:.3g}–{edges[i + 1]:.3g}", int(c)) for i, c in enumerate(counts)]


def _number(question: Question, column: Column, keep: np.ndarray, min_cell: int) -> QuestionResult:
    import numpy as np  # numpy is imported on use: create_app() must not load it

    values = column.data[keep]
    values = values[~np.isnan(values)]
    answered = len(values)
    items = [(label, Cell(count, _share(count, answered))) for label, count in _bins(values, question)]
    suppress([cell for _label, cell in items], min_cell)
    result = QuestionResult(question, answered, [_("Value"), _("Count"), _("Percent")], [])
    result.rows = [TableRow(label, [cell]) for label, cell in items]
    if question.type is QuestionType.NPS:
        return _nps(result, values, min_cell)
    if answered and answered >= min_cell:
        result.stats += [(_("Mean"), f"{values.mean():.2f}"), (_("Median"), f"{np.median(values):g}")]
        if not min_cell:  # the extremes are one person's answer: staff only
            result.stats += [(_("Lowest"), f"{values.min():g}"), (_("Highest"), f"{values.max():g}")]
    result.chart = bar_chart(
        _visible(items), title=question.text, percent_of=answered or None, no_data=_("No answers yet")
    )
    return result


def _nps(result: QuestionResult, values: np.ndarray, min_cell: int) -> QuestionResult:
    groups = [_("Detractors (0–6)"), _("Passives (7–8)"), _("Promoters (9–10)")]
    counts = [int((values <= 6).sum()), int(((values >= 7) & (values <= 8)).sum()), int((values >= 9).sum())]
    cells = [Cell(count, _share(count, result.answered)) for count in counts]
    suppress(cells, min_cell)
    result.rows += [TableRow(group, [cell]) for group, cell in zip(groups, cells, strict=True)]
    detractors, passives, promoters = counts
    score = nps_score(promoters, passives, detractors)
    if any(cell.hidden for cell in cells) or result.answered < min_cell:
        result.chart = bar_chart(
            _visible(list(zip(groups, cells, strict=True))), title=result.question.text, no_data=_("No answers yet")
        )
        return result
    if score is not None:
        result.stats.append((_("Net promoter score"), f"{score:+d}" if score else "0"))
    short = [_("Detractors"), _("Passives"), _("Promoters")]
    result.chart = nps_gauge(
        promoters, passives, detractors, title=result.question.text, groups=short, no_data=_("No answers yet")
    )
    return result


def _date(question: Question, column: Column, keep: np.ndarray, min_cell: int) -> QuestionResult:
    import numpy as np  # numpy is imported on use: create_app() must not load it

    days = column.data[keep]
    days = days[days >= 0]
    months: dict[str, int] = {}
    for day, count in zip(*np.unique(days, return_counts=True), strict=True):
        month = date.fromordinal(int(day) + _EPOCH).strftime("%Y-%m")
        months[month] = months.get(month, 0) + int(count)
    items = [(month, Cell(count, _share(count, len(days)))) for month, count in sorted(months.items())]
    suppress([cell for _label, cell in items], min_cell)
    result = QuestionResult(question, len(days), [_("Month"), _("Count"), _("Percent")], [])
    result.rows = [TableRow(label, [cell]) for label, cell in items]
    result.chart = bar_chart(
        _visible(items), title=question.text, percent_of=len(days) or None, no_data=_("No answers yet")
    )
    return result


def _text(question: Question, column: Column, keep: np.ndarray, min_cell: int) -> QuestionResult:
    result = QuestionResult(question, int((column.data & keep).sum()), [], [])
    result.has_text = True
    return result


def question_result(question: Question, snapshot: Snapshot, keep: np.ndarray, min_cell: int = 0) -> QuestionResult:
    column = snapshot.columns[question.code]
    kind = question.type
    if kind in CHOICE_TYPES or kind is QuestionType.MULTIPLE:
        return _choice(question, column, keep, min_cell)
    if kind is QuestionType.MATRIX:
        return _matrix(question, column, keep, min_cell)
    if kind is QuestionType.RANKING:
        return _ranking(question, column, keep, min_cell)
    if kind in NUMBER_TYPES:
        return _number(question, column, keep, min_cell)
    if kind is QuestionType.DATE:
        return _date(question, column, keep, min_cell)
    return _text(question, column, keep, min_cell)


def survey_results(
    survey: Survey, snapshot: Snapshot, keep: np.ndarray, *, public: bool = False, min_cell: int = 0
) -> list[QuestionResult]:
    """Results of every answerable question; the public page leaves out free-text questions."""
    return [
        question_result(question, snapshot, keep, min_cell)
        for question in survey.questions
        if question.type.in_results and not (public and question.type in TEXT_TYPES)
    ]


@dataclass
class CrossTab:
    """Counts of respondents by an option of `rows` and an option of `columns`, with both bases."""

    rows: Question
    columns: Question
    row_labels: list[str]
    column_labels: list[str]
    counts: list[list[int]]
    row_base: list[int]  # respondents with that row option who answered the column question
    column_base: list[int]
    total: int  # respondents who answered both

    def row_percent(self, i: int, j: int) -> float | None:
        return _share(self.counts[i][j], self.row_base[i])

    def column_percent(self, i: int, j: int) -> float | None:
        return _share(self.counts[i][j], self.column_base[j])


def _used_codes(question: Question, column: Column) -> list[int]:
    return [i for i, code in enumerate(column.codes) if code != OTHER or question.setting("other")]


def crosstab(rows: Question, columns: Question, snapshot: Snapshot, keep: np.ndarray) -> CrossTab:
    import numpy as np  # numpy is imported on use: create_app() must not load it

    row_column, column_column = snapshot.columns[rows.code], snapshot.columns[columns.code]
    both = keep & row_column.answered & column_column.answered
    a = row_column.indicators()[both][:, _used_codes(rows, row_column)].astype(np.int64)
    b = column_column.indicators()[both][:, _used_codes(columns, column_column)].astype(np.int64)
    counts = a.T @ b
    return CrossTab(
        rows=rows,
        columns=columns,
        row_labels=option_labels(rows, [row_column.codes[i] for i in _used_codes(rows, row_column)]),
        column_labels=option_labels(columns, [column_column.codes[i] for i in _used_codes(columns, column_column)]),
        counts=counts.tolist(),
        row_base=a.sum(axis=0).tolist(),
        column_base=b.sum(axis=0).tolist(),
        total=int(both.sum()),
    )


def format_percent(value: float | None) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.1f}%"
