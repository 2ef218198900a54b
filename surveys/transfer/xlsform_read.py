"""Reading an XLSForm workbook as people actually write it: KoboToolbox, ODK, and by hand in Excel or WPS, as .xlsx
or legacy .xls. The cells are read by pyxform itself (the reference converter: its rules for numbers, dates,
empty rows and sheet names are the ones ODK users know); this module then normalises the columns.

Sheet and column names are matched without regard to case or stray spaces ("SURVEY", "name ", "list name"),
`label:english` (old single colon) is read as `label::english`, numbers typed as names become text ("2022",
not 2022.0), and each translatable cell is taken in the preferred language: Chinese when the workbook has it
(zh, Chinese (zh), 中文 ...), else the default (a column without language, or the settings' default_language),
else English, else whatever language there is.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any

from surveys.transfer.xlsform_reasons import REFUSED_SHEETS

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
    languages: tuple[str, ...] = ()  # every language of a translatable column, the preferred first


def language_order(languages: set[str], default_language: str) -> tuple[str, ...]:
    """Chinese first, then the default (no language, or the settings' default_language), then English, then others."""
    chinese = sorted(lang for lang in languages if lang and _CHINESE.search(lang))
    default = ["", *(lang for lang in languages if lang and lang.lower() == default_language.lower())]
    english = sorted(lang for lang in languages if lang and _ENGLISH.search(lang))
    rest = sorted(languages - set(chinese) - set(default) - set(english))
    return tuple(dict.fromkeys([*chinese, *default, *english, *rest]))


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy .xls (BIFF inside an OLE compound file)


def _rows(dicts: list[dict[str, str]], name: str, max_rows: int) -> list[Row]:
    """Rows from pyxform's sheet dicts (one per row, {} for an empty row, so row numbers stay true)."""
    rows = []
    for number, values in enumerate(dicts, start=2):
        cells = {column_key(title): cell_text(value) for title, value in values.items() if cell_text(value)}
        cells = {key: value for key, value in cells.items() if key[0]}
        if cells:
            if len(rows) == max_rows:
                raise WorkbookTooLarge(name, max_rows)
            rows.append(Row(name, number, cells))
    return rows


def _unpacked_bytes(data: bytes) -> int:
    """How many bytes of XML the workbook's zip holds (a legacy .xls: its own size, it is not compressed). A file
    that is neither counts as empty here, and the reader then says what it is."""
    if data.startswith(_OLE_MAGIC):
        return len(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return sum(item.file_size for item in package.infolist() if item.filename.endswith((".xml", ".rels")))
    except zipfile.BadZipFile:
        return 0


def _sheets(data: bytes) -> dict[str, Any]:
    """pyxform's own reading of the workbook (.xlsx/.xlsm through openpyxl, legacy .xls through xlrd): sheet
    name (lower case) → rows as dicts, plus "sheet_names" as written. Raises pyxform's errors."""
    # Imported here: ~30 MiB that only XLSForm transfers need, and create_app() must not load.
    from pyxform.xls2json_backends import xls_to_dict, xlsx_to_dict

    reader = xls_to_dict if data.startswith(_OLE_MAGIC) else xlsx_to_dict
    return reader(io.BytesIO(data))


def read(stream: IO[bytes] | str, max_rows: int) -> Workbook:
    """Read the survey, choices and settings sheets; note other sheets (refused or ignored). Raises
    WorkbookTooLarge for a workbook beyond MAX_UNPACKED_BYTES or a sheet of more than `max_rows` rows, and
    pyxform's PyXFormError (or another exception) for a file that is no workbook."""
    if isinstance(stream, str):
        with open(stream, "rb") as file:
            data = file.read(MAX_UNPACKED_BYTES + 1)
    else:
        data = stream.read(MAX_UNPACKED_BYTES + 1)
    if len(data) > MAX_UNPACKED_BYTES or _unpacked_bytes(data) > MAX_UNPACKED_BYTES:
        raise WorkbookTooLarge()
    sheets = _sheets(data)
    workbook = Workbook()
    workbook.survey = _rows(sheets.get("survey") or [], _written_name(sheets, "survey"), max_rows)
    workbook.choices = _rows(sheets.get("choices") or [], _written_name(sheets, "choices"), max_rows)
    settings = _rows(sheets.get("settings") or [], _written_name(sheets, "settings"), max_rows)
    if settings:
        workbook.settings = {column: value for (column, _lang), value in settings[0].cells.items()}
    for name, reason in REFUSED_SHEETS.items():
        if any(sheets.get(name) or []):
            workbook.refused_sheets.append((_written_name(sheets, name), reason))
    names = sheets.get("sheet_names") or []
    if len(names) > 1:
        workbook.ignored_sheets = [n for n in names if n.lower() not in (*KNOWN_SHEETS, *REFUSED_SHEETS)]
    languages = {
        lang for row in workbook.survey + workbook.choices for (column, lang) in row.cells if column in TRANSLATABLE
    }
    preferred = language_order(languages, workbook.settings.get("default_language", ""))
    for row in workbook.survey + workbook.choices:
        row.preferred = preferred
    workbook.languages = preferred
    return workbook


def _written_name(sheets: dict[str, Any], name: str) -> str:
    """The sheet's name as the workbook writes it ("SURVEY"), for the report."""
    return next((written for written in sheets.get("sheet_names") or [] if written.lower() == name), name)
