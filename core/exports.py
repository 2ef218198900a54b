"""Tabular exports (CSV and XLSX) of comments and survey responses, in bounded memory whatever the row count.

Shared by consultation and survey exports. The caller supplies a header and an iterable of rows (best a lazy
query such as `db.session.execute(stmt.execution_options(yield_per=1000))`); this module never holds all rows:

- CSV streams in chunks of `CSV_CHUNK_ROWS` rows (`iter_csv`, `csv_response`). With `bom=True` it starts with a
  UTF-8 byte-order mark, without which Excel on zh-CN Windows opens UTF-8 as GBK and shows mojibake.
- XLSX is written by XlsxWriter in constant_memory mode (`write_xlsx`, `xlsx_response`): rows go to a temp file
  as they arrive. It takes about 15 s per 100,000 rows on one core, so callers route bigger exports to a
  background job (`XLSX_SYNC_ROW_LIMIT`).

Every string cell is passed through `neutralise_cell` (formula injection) and times are shown in Beijing time
(`local_time`); the caller says so in the column label, e.g. "提交时间（北京时间）". A producer that knows which of
its cells can hold typed text neutralises those itself and hands over `NeutralisedRows`, which are written as
they are: checking every cell of a million-row export here costs more than producing it.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response, request, send_file, stream_with_context
from werkzeug.wsgi import wrap_file

from core.textstats import display_width

if TYPE_CHECKING:
    import xlsxwriter

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
CSV_CHUNK_ROWS = 1000
# Synchronous XLSX requests above this many rows belong in a background job (reliability goal P5).
XLSX_SYNC_ROW_LIMIT = 100_000
XLSX_MAX_ROWS = 1_048_576  # Excel's hard limit per sheet, header row included
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A finished workbook up to this size stays in memory; a bigger one spills to a temp file.
XLSX_SPOOL_BYTES = 16 * 1024 * 1024
COLUMN_KINDS = frozenset({"text", "number", "datetime", "wrap"})

# Characters that make Excel, WPS or LibreOffice read a cell as a formula (or, for tab and carriage return, that
# hide a formula behind them). The full-width forms are here because CJK input methods type them and WPS
# normalises them to their ASCII forms.
_FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
_NUMBER_TYPES = (int, float, Decimal)
_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_MINUTES_SECONDS = [f"{minute:02d}:{second:02d}" for minute in range(60) for second in range(60)]

# Column widths, in Excel character units (one Latin character; a CJK character takes two).
_MIN_WIDTH = 8
_MAX_WIDTH = 50
_WRAP_WIDTH = 60
_DATETIME_WIDTH = 20
_WIDTH_SAMPLE_ROWS = 100


def neutralise_cell(value: Any) -> Any:
    """Return `value` safe to put in a spreadsheet cell (OWASP "CSV injection", ASVS 1.2.10).

    Excel and WPS execute a cell that starts with = + - @ as a formula (=HYPERLINK(...) leaks data, DDE formulas
    ran programs), also after leading whitespace, tab or carriage return, and for the full-width ＝＋－＠. Such
    strings get a leading apostrophe, which spreadsheets show as text and which a reader recognises. Numbers
    stay numbers (so -1 as a number is untouched, "-1" as a string gets the apostrophe), None becomes "", an
    aware datetime becomes `local_time(value)`; anything else becomes its neutralised str().
    """
    if isinstance(value, str):
        if value and (
            value[0] in _FORMULA_TRIGGERS or (value[0].isspace() and value.lstrip()[:1] in _FORMULA_TRIGGERS)
        ):
            return "'" + value
        return value
    if value is None:
        return ""
    if isinstance(value, _NUMBER_TYPES):
        return value
    if isinstance(value, datetime):
        return local_time(value)
    return neutralise_cell(str(value))


class NeutralisedRows:
    """Rows whose producer has already made every cell safe: `iter_csv` and `write_xlsx` write them unchecked.

    Allowed cells: None (an empty cell), bool, int, float, Decimal, strings returned by `neutralise_cell` (or that
    cannot start a formula, such as fixed option codes checked once), and, in XLSX sheets only, aware datetimes
    (CSV needs them as text: `local_time`).
    """

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[Sequence[Any]]:
        return iter(self.rows)


def local_time(dt: datetime) -> str:
    """Format an aware datetime as Beijing time, "YYYY-MM-DD HH:MM:SS"; naive datetimes are refused."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("local_time needs an aware datetime (the database stores UTC)")
    return dt.astimezone(LOCAL_TZ).strftime(_DATETIME_FORMAT)


class LocalTimes:
    """`local_time` for a column of many aware datetimes, several times faster: Beijing's offset from UTC is whole
    hours, so the date and hour are formatted once per UTC hour and the minutes and seconds copied."""

    MEMO_HOURS = 10_000

    def __init__(self) -> None:
        # Hour since the epoch -> "YYYY-MM-DD HH:" in Beijing time, or None when that hour's offset is not whole.
        self._heads: dict[float, str | None] = {}

    def __call__(self, values: Iterable[datetime]) -> list[str]:
        heads = self._heads
        if len(heads) > self.MEMO_HOURS:
            heads.clear()
        texts = []
        for value in values:
            if value.tzinfo is None:
                local_time(value)  # raises, as for one value
            hour = value.timestamp() // 3600
            if hour not in heads:
                heads[hour] = self._head(value)
            head = heads[hour]
            texts.append(
                local_time(value) if head is None else head + _MINUTES_SECONDS[value.minute * 60 + value.second]
            )
        return texts

    @staticmethod
    def _head(value: datetime) -> str | None:
        local = value.astimezone(LOCAL_TZ)
        offset = local.utcoffset()
        if offset is None or offset % timedelta(hours=1):  # a zone's early history has odd offsets: no shortcut
            return None
        return local_time(value)[: -len("MM:SS")]


def send_download(source: bytes | str | Path, filename: str, mimetype: str) -> Response:
    """A finished file (its bytes or its path) as an attachment named filename; no cache may keep a copy.

    Werkzeug's send_file writes the Content-Disposition (Chinese names as RFC 5987 `filename*`).
    """
    body = io.BytesIO(source) if isinstance(source, bytes) else source
    response = send_file(body, mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"  # exports hold personal data
    return response


def content_disposition(filename: str) -> str:
    """Return an attachment Content-Disposition header value for `filename`, Chinese names included.

    For streamed bodies, which send_file cannot take (it wants a file or a path); finished files use send_download.

    Browsers use the RFC 5987 `filename*=UTF-8''...` form; the plain `filename=` is an ASCII fallback for old
    clients: non-ASCII letters dropped and, when nothing of the name is left, "export" plus the extension.
    """
    filename = re.sub(r"[\x00-\x1f\x7f/\\]", "_", filename)  # no header injection, no paths
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    ascii_stem = re.sub(r"[^A-Za-z0-9.-]+", "_", stem.encode("ascii", "ignore").decode()).strip("_.-")
    ascii_extension = re.sub(r"[^A-Za-z0-9]", "", extension)
    fallback = (ascii_stem or "export") + (f".{ascii_extension}" if ascii_extension else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _download_headers(filename: str) -> dict[str, str]:
    # Exports hold personal data: no shared or browser cache may keep a copy.
    return {"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"}


def iter_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool) -> Iterator[str]:
    """Yield CSV text (RFC 4180: minimal quoting, CRLF line ends) in chunks of `CSV_CHUNK_ROWS` rows.

    The first chunk is the header, preceded by "\\ufeff" when `bom` is true ("CSV for Excel"). Every cell,
    header included, goes through `neutralise_cell`. Memory stays at one chunk whatever `rows` yields.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow([neutralise_cell(cell) for cell in header])
    yield buffer.getvalue()
    checked = not isinstance(rows, NeutralisedRows)
    row_iterator = iter(rows)
    while chunk := list(itertools.islice(row_iterator, CSV_CHUNK_ROWS)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(([neutralise_cell(cell) for cell in row] for row in chunk) if checked else chunk)
        yield buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool) -> Response:
    """Return a streaming CSV download; call it inside a request, `rows` is consumed while the body is sent.

    The rows are iterated after the view has returned, under a WSGI server once the request's database session
    has been closed: stream_with_context pushes the request again, with a new session, so a lazy query runs, but
    an object the view loaded is detached by then. Build `rows` from plain values and queries, never from ORM
    objects read in the view (tests/live downloads every export through gunicorn to catch that).
    """
    body = stream_with_context(iter_csv(header, rows, bom=bom))
    return Response(body, content_type="text/csv; charset=utf-8", headers=_download_headers(filename))


@dataclass
class Sheet:
    """One worksheet of an XLSX export.

    `kinds` gives each column's kind: "text" (default), "number", "datetime" (aware datetimes shown as Beijing
    time, sortable in Excel) or "wrap" (long free text: wide column, wrapped). `column_widths` overrides the
    widths estimated from the header, the first rows and the kind.
    """

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    column_widths: Sequence[int] | None = None
    autofilter: bool = True
    freeze_header: bool = True
    kinds: Sequence[str] | None = None


class _Formats:
    """The cell formats of one workbook, created once (XlsxWriter formats belong to their workbook)."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DDE6F0", "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    def for_kind(self, kind: str) -> Any:
        return {"datetime": self.datetime, "wrap": self.wrap}.get(kind)


def write_xlsx(path_or_buffer: str | IO[bytes], sheets: Sequence[Sheet]) -> None:
    """Write `sheets`, in order, into one XLSX file (a path or a binary file object), in bounded memory.

    Strings are written as strings, never interpreted as formulas, numbers or URLs, and neutralised as in CSV;
    each sheet gets a bold filled header, a frozen header row, an autofilter and readable column widths.
    Raises ValueError when a sheet has more rows than Excel can open (the file left behind is incomplete).
    """
    import xlsxwriter  # here, not at the top: only xlsx exports need it, and create_app() stays lean

    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": True,
    }
    with xlsxwriter.Workbook(path_or_buffer, options) as workbook:
        formats = _Formats(workbook)
        used_names: set[str] = set()
        for sheet in sheets:
            _write_sheet(workbook, formats, sheet, _sheet_name(sheet.name, used_names))


def _write_sheet(workbook: xlsxwriter.Workbook, formats: _Formats, sheet: Sheet, name: str) -> None:
    worksheet = workbook.add_worksheet(name)
    column_count = len(sheet.header)
    kinds = list(sheet.kinds or ())
    kinds += ["text"] * (column_count - len(kinds))
    if unknown := set(kinds) - COLUMN_KINDS:
        raise ValueError(f"unknown column kinds {sorted(unknown)}; use {sorted(COLUMN_KINDS)}")
    rows = iter(sheet.rows)
    # Widths must be known before rows stream out, so they come from the header and a short sample of rows.
    sample = list(itertools.islice(rows, _WIDTH_SAMPLE_ROWS))
    widths = sheet.column_widths or _estimate_widths(sheet.header, sample, kinds)
    for column, width in enumerate(widths):
        worksheet.set_column(column, column, width)

    worksheet.write_row(0, 0, [neutralise_cell(title) for title in sheet.header], formats.header)
    cell_formats = [formats.for_kind(kind) for kind in kinds]
    write_row = _write_checked_row if not isinstance(sheet.rows, NeutralisedRows) else _prepared_row_writer(worksheet)
    row_number = 0
    for row_number, row in enumerate(itertools.chain(sample, rows), start=1):
        if row_number >= XLSX_MAX_ROWS:
            raise ValueError(f"sheet {name!r} has more than {XLSX_MAX_ROWS - 1} data rows, the most Excel opens")
        write_row(worksheet, row_number, row, cell_formats, formats.datetime)

    if sheet.freeze_header:
        worksheet.freeze_panes(1, 0)
    if sheet.autofilter and column_count:
        worksheet.autofilter(0, 0, row_number, column_count - 1)


def _write_checked_row(
    worksheet: Any, row: int, values: Sequence[Any], formats: list[Any], datetime_format: Any
) -> None:
    for column, value in enumerate(values):
        _write_cell(worksheet, row, column, value, formats[column], datetime_format)


def _prepared_row_writer(worksheet: Any) -> Any:
    """Writes a row of NeutralisedRows: the worksheet method chosen by the cell's exact type, no other checks."""
    by_type = {str: worksheet.write_string, int: worksheet.write_number, float: worksheet.write_number}

    def write_row(worksheet: Any, row: int, values: Sequence[Any], formats: list[Any], datetime_format: Any) -> None:
        for column, value in enumerate(values):
            if value is None:
                continue
            method = by_type.get(value.__class__)
            if method is None:  # bool, Decimal, datetime: rare
                _write_cell(worksheet, row, column, value, formats[column], datetime_format)
            else:
                method(row, column, value, formats[column])

    return write_row


def _write_cell(worksheet: Any, row: int, column: int, value: Any, cell_format: Any, datetime_format: Any) -> None:
    """Write one value by its Python type; the column kind only chooses the format (datetimes always get one)."""
    if value is None:
        return  # constant_memory writes rows in order; an empty cell is simply not written
    if isinstance(value, bool):
        worksheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, _NUMBER_TYPES):
        worksheet.write_number(row, column, value, cell_format)
    elif isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("XLSX exports need aware datetimes (the database stores UTC)")
        # Excel has no time zones: write the Beijing wall-clock time, which is what the column label promises.
        local = value.astimezone(LOCAL_TZ).replace(tzinfo=None)
        worksheet.write_datetime(row, column, local, datetime_format)
    else:
        worksheet.write_string(row, column, neutralise_cell(value), cell_format)  # str() of other objects


def _estimate_widths(header: Sequence[str], sample: Sequence[Sequence[Any]], kinds: Sequence[str]) -> list[int]:
    """Column widths from the widest of the header and the sampled cells (CJK counted double), capped."""
    widths = []
    for column, (title, kind) in enumerate(zip(header, kinds, strict=True)):
        if kind == "wrap":
            widths.append(_WRAP_WIDTH)
            continue
        cells = [str(neutralise_cell(row[column])) for row in sample if column < len(row)]
        widest = max(map(display_width, [str(title), *cells]))
        floor = _DATETIME_WIDTH if kind == "datetime" else _MIN_WIDTH
        widths.append(min(max(widest + 2, floor), _MAX_WIDTH))
    return widths


def _sheet_name(name: str, used: set[str]) -> str:
    """Return a valid, unused sheet name: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "Sheet"
    candidate, number = base, 1
    while candidate.lower() in used:
        number += 1
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate.lower())
    return candidate


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> Response:
    """Build an XLSX download inside the request and return it; memory stays bounded (spooled temp file).

    The workbook is finished before the first byte is sent, so keep synchronous exports to
    `XLSX_SYNC_ROW_LIMIT` rows and run larger ones as a background job writing with `write_xlsx`.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115 - closed by the response
    try:
        write_xlsx(spool, sheets)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    headers = _download_headers(filename) | {"Content-Length": str(size)}
    return Response(wrap_file(request.environ, spool), mimetype=XLSX_MIMETYPE, headers=headers, direct_passthrough=True)
