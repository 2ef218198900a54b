"""Reading an XLSForm workbook as people actually write it: KoboToolbox, ODK, and by hand in Excel or WPS.

Sheet and column names are matched without regard to case or stray spaces ("SURVEY", "name ", "list name"),
`label:english` (old single colon) is read as `label::english`, numbers typed as names become text ("2022",
not 2022.0), and each translatable cell is taken in the preferred language: Chinese when the workbook has it
(zh, Chinese (zh), 中文 ...), else the default (a column without language, or the settings' default_language),
else English, else whatever language there is.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

TRANSLATABLE = ("label", "hint", "constraint_message", "required_message")
MEDIA_COLUMNS = (
    "image",
    "big-image",
    "audio",
    "video",
    "media::image",
    "media::audio",
    "media::video",
    "media::big-image",
)
KNOWN_SHEETS = ("survey", "choices", "settings")
REFUSED_SHEETS = {"external_choices": "choices from an external list", "entities": "ODK entities", "osm": "OSM tags"}
_CHINESE = re.compile(r"(^|[^a-z])zh([^a-z]|$)|chinese|中文|汉语|汉文|简体|繁體|繁体", re.IGNORECASE)
_ENGLISH = re.compile(r"(^|[^a-z])en([^a-z]|$)|english", re.IGNORECASE)
# The XML a workbook unpacks to. A real XLSForm of a thousand rows is well under 1 MB; openpyxl reads some 3 MB a
# second, and a few MB of zip can hold a hundred MB of empty cells, so this is checked before openpyxl opens it.
MAX_UNPACKED_BYTES = 8 * 1024 * 1024


class WorkbookTooLarge(ValueError):
    """A workbook beyond the bounds of `read`: a sheet with more than `max_rows` non-empty rows below its header,
    or (`sheet` empty) more than MAX_UNPACKED_BYTES of XML."""

    def __init__(self, sheet: str = "", max_rows: int = 0) -> None:
        super().__init__(sheet, max_rows)
        self.sheet = sheet
        self.max_rows = max_rows


_ALIASES = {
    "list name": "list_name",
    "requiredmsg": "required_message",
    "form title": "form_title",
    "default language": "default_language",
}


def cell_text(value: Any) -> str:
    """A cell as text: integral floats without ".0", booleans as Excel shows them, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def column_key(header: Any) -> tuple[str, str]:
    """(column, language) of a header: "label::Chinese (zh)" → ("label", "Chinese (zh)"), "NAME " → ("name", "")."""
    text = cell_text(header)
    lowered = re.sub(r"\s+", " ", text.lower()).strip()
    lowered = _ALIASES.get(lowered, lowered)
    for base in (*TRANSLATABLE, "media::image", "media::audio", "media::video", *MEDIA_COLUMNS):
        for separator in ("::", ":"):
            if lowered.startswith(base + separator) and not lowered.startswith(base + separator + ":"):
                return base, text[len(base) + len(separator) :].strip()
    return lowered, ""


@dataclass
class Row:
    """One non-empty row of a sheet: its 1-based number and its cells by (column, language)."""

    sheet: str
    number: int
    cells: dict[tuple[str, str], str]
    preferred: tuple[str, ...] = ()  # languages in order of preference

    def get(self, column: str) -> str:
        return self.cells.get((column, ""), "")

    def text(self, column: str) -> str:
        """A translatable column in the preferred language available in this row."""
        for language in self.preferred:
            value = self.cells.get((column, language), "")
            if value:
                return value
        return next((value for (name, _lang), value in self.cells.items() if name == column and value), "")

    def has_media(self) -> bool:
        return any(name in MEDIA_COLUMNS and value for (name, _lang), value in self.cells.items())


@dataclass
class Workbook:
    survey: list[Row] = field(default_factory=list)
    choices: list[Row] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)
    refused_sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet, reason)
    ignored_sheets: list[str] = field(default_factory=list)


def language_order(languages: set[str], default_language: str) -> tuple[str, ...]:
    """Chinese first, then the default (no language, or the settings' default_language), then English, then others."""
    chinese = sorted(lang for lang in languages if lang and _CHINESE.search(lang))
    default = ["", *(lang for lang in languages if lang and lang.lower() == default_language.lower())]
    english = sorted(lang for lang in languages if lang and _ENGLISH.search(lang))
    rest = sorted(languages - set(chinese) - set(default) - set(english))
    return tuple(dict.fromkeys([*chinese, *default, *english, *rest]))


# Excel's last row: a row numbered beyond it in a crafted file ends the reading.
_LAST_ROW = 1_048_576


def _rows(sheet: Any, name: str, max_rows: int) -> list[Row]:
    # openpyxl pads a sheet with empty rows down to the size the file states, and real forms formatted down to the
    # bottom state 1,048,576 rows (seconds of empty rows). Without the stated size it reads the rows there are.
    sheet.reset_dimensions()
    iterator = sheet.iter_rows(max_row=_LAST_ROW, values_only=True)
    header = next(iterator, None)
    if header is None:
        return []
    keys = [column_key(title) for title in header]
    rows = []
    for number, values in enumerate(iterator, start=2):
        if values.count(None) == len(values):  # counted in C: rows left empty between the filled ones
            continue
        cells = {key: cell_text(value) for key, value in zip(keys, values, strict=False) if key[0] and cell_text(value)}
        if cells:
            if len(rows) == max_rows:
                raise WorkbookTooLarge(name, max_rows)
            rows.append(Row(name, number, cells))
    return rows


def _unpacked_bytes(stream: IO[bytes] | str) -> int:
    """How many bytes of XML the workbook's zip holds; leaves a stream at its start. A file that is no zip counts
    as empty here, and openpyxl then says what it is."""
    try:
        with zipfile.ZipFile(stream) as package:
            return sum(item.file_size for item in package.infolist() if item.filename.endswith((".xml", ".rels")))
    except zipfile.BadZipFile:
        return 0
    finally:
        if not isinstance(stream, str):
            stream.seek(0)


def read(stream: IO[bytes] | str, max_rows: int) -> Workbook:
    """Read the survey, choices and settings sheets; note other sheets (refused or ignored). Raises
    WorkbookTooLarge for a workbook beyond MAX_UNPACKED_BYTES or a sheet of more than `max_rows` rows."""
    import openpyxl  # here: ~30 MiB that only XLSForm transfers need, and create_app() must not load

    if _unpacked_bytes(stream) > MAX_UNPACKED_BYTES:
        raise WorkbookTooLarge()
    book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    workbook = Workbook()
    try:
        for sheet in book.worksheets:
            name = sheet.title.strip().lower()
            if name == "survey":
                workbook.survey = _rows(sheet, sheet.title, max_rows)
            elif name == "choices":
                workbook.choices = _rows(sheet, sheet.title, max_rows)
            elif name == "settings":
                rows = _rows(sheet, sheet.title, max_rows)
                if rows:
                    workbook.settings = {column: value for (column, _lang), value in rows[0].cells.items()}
            elif name in REFUSED_SHEETS:
                if _rows(sheet, sheet.title, max_rows):
                    workbook.refused_sheets.append((sheet.title, REFUSED_SHEETS[name]))
            else:
                workbook.ignored_sheets.append(sheet.title)
    finally:
        book.close()
    languages = {
        lang for row in workbook.survey + workbook.choices for (column, lang) in row.cells if column in TRANSLATABLE
    }
    preferred = language_order(languages, workbook.settings.get("default_language", ""))
    for row in workbook.survey + workbook.choices:
        row.preferred = preferred
    return workbook
