"""SPSS .sav export with Chinese variable and value labels (UTF-8 file, read by SPSS 16 and later).

pyreadstat writes a whole data frame at once (no append), so each chunk of responses becomes a polars frame
(Arrow columns: far smaller than Python objects), built column by column, and the frames are joined before
writing; exports above exports.SAV_ROW_LIMIT rows are refused with a pointer to CSV, which streams.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core import progress
from surveys.models import Survey
from surveys.results.filters import Filters
from surveys.transfer.columns import ExportColumn, variable_name
from surveys.transfer.exports import SAV_ROW_LIMIT, column_chunks, export_columns, response_count

LABEL_BYTES = 250  # SPSS keeps variable labels up to 256 bytes; a Chinese character takes 3
VALUE_LABEL_BYTES = 118  # and value labels up to 120


class TooManyRows(ValueError):
    """More responses than a .sav export holds in memory; use CSV instead."""


def _cut(text: str, limit: int) -> str:
    data = text.encode()
    return text if len(data) <= limit else data[:limit].decode(errors="ignore")


def _dtype(column: ExportColumn) -> Any:
    import polars as pl

    if column.name == "submitted_at":
        return pl.Datetime("us")
    if column.spss is not None and not column.numeric:
        return pl.Date
    return pl.Float64 if column.numeric else pl.String


def _blank_to_none(cell: Any) -> Any:
    return cell if cell not in ("", None) else None


def _value(code: Any) -> Any:
    """A value label's key: a number for numeric codes, the code itself (`24/7`) for a text variable."""
    return float(code) if isinstance(code, int | float) else str(code)


def _spss_names(columns: list[ExportColumn]) -> dict[str, str]:
    """Column name → SPSS variable name (letters, digits, _; unique regardless of case). The codes themselves
    stay in the values and value labels; the variable label says which question a variable is."""
    names: dict[str, str] = {}
    seen: set[str] = set()
    for column in columns:
        base = name = variable_name(column.name)[:60]
        n = 1
        while name.lower() in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name.lower())
        names[column.name] = name
    return names


def write_sav(path: str | Path, survey: Survey, filters: Filters) -> int:
    """Write the filtered responses to `path`; returns the number of rows. Raises TooManyRows above the cap."""
    # Imported here: polars and pyreadstat add ~100 MiB to a process that never writes a .sav.
    import polars as pl
    import pyreadstat

    count = response_count(survey, filters)
    if count > SAV_ROW_LIMIT:
        raise TooManyRows(count)
    columns = [column for column in export_columns(survey) if column.in_sav]
    schema = {column.name: _dtype(column) for column in columns}
    converters = [column.spss or _blank_to_none for column in columns]
    frames = []
    for chunk_cells in column_chunks(survey, filters, columns):
        cells_by_name = {
            column.name: list(map(convert, cells))
            for column, convert, cells in zip(columns, converters, chunk_cells, strict=True)
        }
        frames.append(pl.DataFrame(cells_by_name, schema=schema))
        progress.advance(len(chunk_cells[0]))  # an export job's progress bar (core/progress.py)
    frames = frames or [pl.DataFrame(schema=schema)]
    frame = pl.concat(frames)
    del frames
    names = _spss_names(columns)
    frame = frame.rename(names)
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=_cut(survey.title, 60),
        column_labels={names[c.name]: _cut(c.label, LABEL_BYTES) for c in columns},
        variable_value_labels={
            names[c.name]: {_value(k): _cut(str(v), VALUE_LABEL_BYTES) for k, v in c.value_labels.items()}
            for c in columns
            if c.value_labels
        },
        variable_display_width={names[c.name]: 20 for c in columns if schema[c.name] == pl.String},
    )
    return len(frame)
