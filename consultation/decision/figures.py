"""Figures of a 解读: a small table typed into a form (a label and up to three numbers a row) drawn as a
server-side SVG chart (core/charts.py), readable on a phone, with the same numbers as a table for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup

from consultation.decision.models import ChartKind, InterpretationFigure
from core import charts

MAX_SERIES = 3
MAX_ROWS = 20


@dataclass(frozen=True)
class TableRow:
    label: str
    values: list[float | None]


def read_table(series: Sequence[str], rows: Sequence[TableRow]) -> tuple[list[str], list[Any], list[str]]:
    """The series and rows worth keeping from the form, and problem codes.

    A column is used when any row has a number in it; empty rows are dropped; a row with numbers needs a label;
    a used column needs a name when there are two or more.
    """
    filled = [row for row in rows if row.label.strip() or any(value is not None for value in row.values)]
    used = [index for index in range(MAX_SERIES) if any(_value(row, index) is not None for row in filled)]
    problems = []
    if not filled or not used:
        problems.append("figure_empty")
    if any(not row.label.strip() for row in filled):
        problems.append("figure_row_label_missing")
    names = [(series[index] if index < len(series) else "").strip() for index in used]
    if len(used) > 1 and not all(names):
        problems.append("figure_series_name_missing")
    kept = [[row.label.strip(), [_value(row, index) or 0 for index in used]] for row in filled]
    return names, kept, problems


def _value(row: TableRow, index: int) -> float | None:
    return row.values[index] if index < len(row.values) else None


def _number(value: float) -> str:
    """12 → "12", 12.5 → "12.5", 1234567 → "1,234,567": what the table and the bars print."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def formatted(value: float, unit: str = "") -> str:
    return f"{_number(value)}{unit}"


def chart(figure: InterpretationFigure) -> Markup:
    """The figure as an accessible SVG: bars (a bar a row, or a row and series) or 100% shares."""
    rows = [(str(label), [float(value) for value in values]) for label, values in figure.rows]
    series = list(figure.series) or [figure.unit or figure.title]
    no_data = _("No data")
    if figure.kind is ChartKind.SHARES and len(series) > 1:
        return charts.stacked_bars(rows, series, title=figure.title, no_data=no_data)
    if len(series) == 1:
        items = [(label, values[0]) for label, values in rows]
    else:
        pairs = ((label, zip(series, values, strict=True)) for label, values in rows)
        items = [(f"{label} · {name}", value) for label, named in pairs for name, value in named]
    whole = all(float(value).is_integer() for _, value in items)
    unit = figure.unit.replace("{", "{{").replace("}", "}}")
    value_format = ("{:,.0f}" if whole else "{:,.2f}") + unit
    return charts.bar_chart(items, title=figure.title, value_format=value_format, no_data=no_data)


def form_rows(figure: InterpretationFigure | None, blank: int = 4, minimum: int = 6) -> list[dict[str, Any]]:
    """The rows a figure form starts with: the figure's own, then a few empty ones to type into (no JavaScript)."""
    rows: list[dict[str, Any]] = []
    if figure is not None:
        for label, values in figure.rows:
            cells = {f"value_{index + 1}": value for index, value in enumerate(values)}
            rows.append({"label": label, **cells})
    count = min(max(len(rows) + blank, minimum), MAX_ROWS)
    return rows + [{} for _ in range(count - len(rows))]
