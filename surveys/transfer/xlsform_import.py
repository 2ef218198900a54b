"""Importing a questionnaire from an XLSForm workbook as a draft survey, with a report of what was refused.

Rows become questions through the builder's own services (so codes, options and conditions are checked as
in the browser). Top-level groups become pages, nested groups are flattened into their page (their `relevant`
joins each question's show-if), and a group holding a `label` row and `list-nolabel` rows of one choice list
(or a table-list group of select_one rows of one list) becomes a matrix. Whatever our question model cannot
express is refused row by row with the reason (sheet, row, name, reason), never silently dropped; smaller
changes (a renamed code, an ignored default answer or media file) are listed as warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _

from core import audit
from core.db import utcnow
from core.extensions import db
from core.models import Department
from surveys.builder.services import BuilderError, add_page, create_survey, save_question
from surveys.models import Option, QuestionType, Survey
from surveys.taking.answers import OTHER
from surveys.transfer import xlsform_expr
from surveys.transfer.xlsform_read import MAX_UNPACKED_BYTES, Row, WorkbookTooLarge, read

INTEGER_RULE = "regex(., '^-?[0-9]+$')"
TRUE_WORDS = {"yes", "true", "true()", "1", "y"}
FALSE_WORDS = {"", "no", "false", "false()", "0", "n"}
REFUSED_TYPES = {
    "begin_repeat": "repeats are not supported",
    "calculate": "calculations are not supported",
    "hidden": "hidden fields are not supported",
    "geopoint": "locations are not supported",
    "geotrace": "locations are not supported",
    "geoshape": "locations are not supported",
    "start-geopoint": "locations are not supported",
    "image": "uploads are not supported",
    "audio": "uploads are not supported",
    "video": "uploads are not supported",
    "file": "uploads are not supported",
    "background-audio": "recordings are not supported",
    "barcode": "barcodes are not supported",
    "time": "times of day are not supported",
    "datetime": "date and time answers are not supported",
    "acknowledge": "acknowledge questions are not supported",
    "trigger": "acknowledge questions are not supported",
    "select_one_from_file": "choices from an external file are not supported",
    "select_multiple_from_file": "choices from an external file are not supported",
    "select_one_external": "choices from an external list are not supported",
    "osm": "OSM questions are not supported",
    "xml-external": "external data is not supported",
    "csv-external": "external data is not supported",
}
METADATA = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "instanceid",
}
DROPDOWN_APPEARANCES = ("minimal", "autocomplete", "autocomplete_chars", "search")
_CODE_BAD = re.compile(r"[^A-Za-z0-9_]+")
_OPTION_BAD = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass
class Finding:
    sheet: str
    row: int
    name: str
    reason: str


@dataclass
class ImportReport:
    survey: Survey | None = None
    imported: list[str] = field(default_factory=list)
    refused: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    error: str = ""


@dataclass
class Node:
    """A survey-sheet row, or a group/repeat with its rows (children)."""

    row: Row
    kind: str
    children: list[Node] = field(default_factory=list)


def type_words(row: Row) -> list[str]:
    """The type cell split in words, normalised: "select one from x" → ["select_one", "x"]."""
    text = re.sub(r"\s+", " ", row.get("type").strip())
    text = re.sub(r"^(begin|end) (group|repeat)\b", r"\1_\2", text, flags=re.IGNORECASE)
    text = re.sub(r"^select (one|multiple)( from)?\b", r"select_\1", text, flags=re.IGNORECASE)
    words = text.split(" ")
    return [words[0].lower(), *words[1:]] if words[0] else []


def _tree(rows: list[Row], report: ImportReport) -> list[Node]:
    root = Node(Row("survey", 0, {}), "root")
    stack = [root]
    for row in rows:
        words = type_words(row)
        kind = words[0] if words else ""
        if kind in ("begin_group", "begin_repeat"):
            node = Node(row, kind)
            stack[-1].children.append(node)
            stack.append(node)
        elif kind in ("end_group", "end_repeat"):
            if len(stack) > 1:
                stack.pop()
            else:
                report.warnings.append(Finding(row.sheet, row.number, row.get("name"), "end without a begin"))
        elif kind:
            stack[-1].children.append(Node(row, "question"))
    return root.children


class _Importer:
    def __init__(self, survey: Survey, choices: dict[str, list[Row]], report: ImportReport) -> None:
        self.survey, self.choices, self.report = survey, choices, report
        self.renamed: dict[str, str] = {}  # XLSForm name → our reference (code, or matrix.row)
        self.codes: list[str] = []
        self.refused_names: set[str] = set()
        self.page: Any = None

    def refuse(self, row: Row, reason: str) -> None:
        name = row.get("name")
        self.report.refused.append(Finding(row.sheet, row.number, name, reason))
        if name:
            self.refused_names.add(name)

    def warn(self, row: Row, reason: str) -> None:
        self.report.warnings.append(Finding(row.sheet, row.number, row.get("name"), reason))

    def refuse_all(self, node: Node, reason: str) -> None:
        self.refuse(node.row, reason)
        for child in node.children:
            self.refuse_all(child, reason)

    def code_for(self, row: Row) -> str | None:
        name = row.get("name")
        code = re.sub(r"_{2,}", "_", _CODE_BAD.sub("_", name))
        if code and code[0].isdigit():
            code = f"q{code}"
        if not code:
            return None
        base, n = code, 2
        while code in self.codes:
            code, n = f"{base}_{n}", n + 1
        if code != name:
            self.warn(row, f"code changed to '{code}'")
        return code

    def condition(self, row: Row, column: str, extra: str = "") -> str:
        """Our expression for a relevant/constraint cell (joined with `extra`); ExpressionError when impossible."""
        parts = [extra]
        source = row.get(column)
        if source:
            if xlsform_expr.normalise_quotes(source)[1]:
                self.warn(row, f"curly quotes in {column} made straight")
            parts.append(xlsform_expr.to_condition(source, self.renamed, self.codes, self.refused_names))
        return xlsform_expr.combine(parts)

    def new_page(self, title: str) -> None:
        self.page = self.survey.pages[0] if self.page is None else add_page(self.survey, title[:200])
        self.page.title = title[:200]
        db.session.flush()

    def walk(self, nodes: list[Node], relevant: str, top: bool) -> None:
        loose = False
        for node in nodes:
            if node.kind == "begin_repeat":
                self.refuse(node.row, REFUSED_TYPES["begin_repeat"])
                for child in node.children:
                    self.refuse_all(child, f"inside the repeat '{node.row.get('name')}'")
                continue
            if node.kind == "begin_group":
                try:
                    group_relevant = self.condition(node.row, "relevant", relevant)
                except xlsform_expr.ExpressionError as error:
                    self.refuse_all(node, f"group relevant: {error}")
                    continue
                if top:
                    self.new_page(node.row.text("label"))
                    loose = False
                if not self.matrix(node, group_relevant):
                    self.walk(node.children, group_relevant, top=False)
                continue
            if top and not loose:
                self.new_page("")
                loose = True
            self.question(node.row, relevant)

    def question(self, row: Row, relevant: str) -> None:
        words = type_words(row)
        kind = words[0]
        if kind in REFUSED_TYPES:
            return self.refuse(row, REFUSED_TYPES[kind])
        if kind in METADATA or kind.startswith("uri:"):
            return self.refuse(row, "device and form metadata are not collected")
        if row.get("choice_filter"):
            return self.refuse(row, "choice_filter (cascading choices) is not supported")
        try:
            data = self.question_data(row, words)
            if data is None:
                return None
            data["show_if"] = self.condition(row, "relevant", relevant)
        except (xlsform_expr.ExpressionError, _Refused) as error:
            return self.refuse(row, str(error))
        self.save(row, data)
        return None

    def save(self, row: Row, data: dict[str, Any]) -> None:
        code = data["code"]
        options = data.pop("options", [])
        try:
            question = save_question(self.survey, self.page, None, data)
        except BuilderError as error:
            return self.refuse(row, error.message)
        question.options = [Option(code=c, label=label[:300], position=n) for n, (c, label) in enumerate(options)]
        db.session.flush()
        self.codes.append(code)
        self.renamed.setdefault(row.get("name"), code)
        self.report.imported.append(code)
        return None

    def question_data(self, row: Row, words: list[str]) -> dict[str, Any] | None:
        kind = words[0]
        code = self.code_for(row)
        if code is None:
            raise _Refused("the row has no name")
        text = row.text("label").replace("\n", " ").strip()
        appearance = row.get("appearance").lower().split()
        if row.has_media():
            self.warn(row, "images, audio and video are not imported")
        if row.get("default"):
            self.warn(row, "the default answer is not imported")
        for name in xlsform_expr.referenced_names(text):
            if name in self.refused_names or name not in self.renamed:
                raise _Refused(f"the label shows the answer to '{name}', which was not imported")
        if "${" in text:
            self.warn(row, "the label refers to another answer; it is shown as written")
        if any(a.startswith("ex:") for a in appearance):
            self.warn(row, "the external app of the appearance is not used")
        if not text:
            if kind == "note":
                raise _Refused("a note with nothing to show but media")
            self.warn(row, "no label: the name is used as the question text")
            text = row.get("name")
        data: dict[str, Any] = {
            "code": code,
            "text": text,
            "help": row.text("hint"),
            "validation": "",
            "validation_message": row.text("constraint_message")[:300],
            "settings": {},
        }
        data["required"] = self.required(row)
        kind_type = self.kind(row, words, appearance, data)
        data["type"] = kind_type.value
        self.validation(row, kind_type, data)
        return data

    def required(self, row: Row) -> bool:
        value = row.get("required").strip().lower()
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        raise _Refused("required with a condition is not supported")

    def kind(self, row: Row, words: list[str], appearance: list[str], data: dict[str, Any]) -> QuestionType:
        kind = words[0]
        if kind in ("select_one", "select_multiple", "rank"):
            if len(words) < 2:
                raise _Refused("no choice list named")
            data["options"] = self.options(words[1])
            if "or_other" in words[2:]:
                data["settings"]["other"] = True
                data["options"] = [(c, label) for c, label in data["options"] if c != OTHER]
            if "randomize=true" in row.get("parameters").lower().replace(" ", ""):
                data["settings"]["shuffle"] = True
            if kind == "rank":
                return QuestionType.RANKING
            if kind == "select_multiple":
                return QuestionType.MULTIPLE
            dropdown = any(a.startswith(DROPDOWN_APPEARANCES) for a in appearance)
            return QuestionType.DROPDOWN if dropdown else QuestionType.SINGLE
        if kind == "text":
            rows = row.get("rows")
            multiline = "multiline" in appearance or (rows.isdigit() and int(rows) > 1)
            return QuestionType.LONG_TEXT if multiline else QuestionType.SHORT_TEXT
        if kind in ("integer", "decimal"):
            data["settings"]["integer"] = kind == "integer"
            return QuestionType.NUMBER
        if kind == "date":
            return QuestionType.DATE
        if kind == "note":
            return QuestionType.NOTE
        if kind == "range":
            return self.range(row, data)
        raise _Refused(f"the type '{row.get('type')}' is not supported")

    def range(self, row: Row, data: dict[str, Any]) -> QuestionType:
        parameters = dict(re.findall(r"(\w+)\s*=\s*([^\s;,]+)", row.get("parameters")))
        try:
            start, end, step = (
                float(parameters.get(key, default)) for key, default in (("start", 1), ("end", 10), ("step", 1))
            )
        except ValueError:
            raise _Refused("range parameters must be numbers") from None
        if step != 1 or not start.is_integer() or not end.is_integer() or end <= start:
            raise _Refused("only whole-number ranges counting up in steps of 1 are supported")
        if row.get("minyi_type") == "nps" and (start, end) == (0, 10):
            return QuestionType.NPS
        data["settings"].update(scale_min=int(start), scale_max=int(end))
        for key in ("scale_min_label", "scale_max_label"):
            if row.get(key):
                data["settings"][key] = row.get(key)
        return QuestionType.SCALE

    def validation(self, row: Row, kind: QuestionType, data: dict[str, Any]) -> None:
        source = self.condition(row, "constraint")
        settings = data["settings"]
        if kind is QuestionType.NUMBER and settings.get("integer"):
            source = xlsform_expr.combine([INTEGER_RULE, source])
        elif kind is QuestionType.NUMBER:
            settings.pop("integer", None)
        if source and kind in (QuestionType.NUMBER, QuestionType.MULTIPLE):
            function = "count-selected" if kind is QuestionType.MULTIPLE else None
            keys = ("min_selections", "max_selections") if function else ("min_value", "max_value")
            rest = []
            for part in xlsform_expr.conjuncts(source):
                found = xlsform_expr.bound(part, function)
                key = None if found is None else keys[found[0] == "<="]
                if key and key not in settings:
                    settings[key] = int(found[1]) if float(found[1]).is_integer() else found[1]
                else:
                    rest.append(part)
            source = xlsform_expr.join(rest)
        data["validation"] = source
        if not source:
            data["validation_message"] = ""

    def options(self, list_name: str) -> list[tuple[str, str]]:
        rows = self.choices.get(list_name)
        if not rows:
            raise _Refused(f"the choice list '{list_name}' is missing or empty")
        options, seen = [], set()
        for row in rows:
            code = _OPTION_BAD.sub("_", row.get("name")).strip("_")[:40]
            if not code or code in seen:
                self.warn(row, "choice without a name, or a repeated name: left out")
                continue
            if code != row.get("name"):
                self.warn(row, f"choice code changed to '{code}'")
            label = row.text("label").replace("\n", " ").strip()
            if not label:
                self.warn(row, "choice without a label: its name is shown")
            seen.add(code)
            options.append((code, label or row.get("name")))
        return options

    def matrix(self, group: Node, relevant: str) -> bool:
        """Import `group` as one matrix question when it has the matrix shape; False when it does not."""
        appearance = group.row.get("appearance").lower()
        members = group.children
        if not members or any(m.kind != "question" for m in members):
            return False
        words = [type_words(m.row) for m in members]
        if any(w[0] != "select_one" or len(w) != 2 or w[1] != words[0][1] for w in words):
            return False
        looks = [m.row.get("appearance").lower() for m in members]
        if any(m.row.get("relevant") or m.row.get("constraint") or m.row.get("choice_filter") for m in members):
            return False
        label_rows = [m for m, look in zip(members, looks, strict=True) if look == "label"]
        row_nodes = [m for m, look in zip(members, looks, strict=True) if look == "list-nolabel"]
        idiom = len(label_rows) <= 1 and row_nodes and len(label_rows) + len(row_nodes) == len(members)
        table = "table-list" in appearance and len(members) >= 2 and not any(looks)
        if not (idiom or table):
            return False
        row_nodes = row_nodes if idiom else members
        prefix = group.row.get("name") + "_"
        rows = []
        for member in row_nodes:
            name = member.row.get("name")
            row_code = _CODE_BAD.sub("_", name.removeprefix(prefix) if name.startswith(prefix) else name)
            rows.append({"code": row_code, "label": member.row.text("label") or name})
        text = group.row.text("label") or (label_rows[0].row.text("label") if label_rows else group.row.get("name"))
        code = self.code_for(group.row)
        try:
            data = {
                "code": code,
                "type": QuestionType.MATRIX.value,
                "text": text,
                "help": group.row.text("hint"),
                "validation": "",
                "validation_message": "",
                "show_if": relevant,
                "required": all(self.required(m.row) for m in row_nodes),
                "settings": {"rows": rows},
                "options": self.options(words[0][1]),
            }
        except _Refused as error:
            self.refuse_all(group, str(error))
            return True
        if code is None:
            self.refuse_all(group, "the group has no name")
            return True
        self.save(group.row, data)
        for member, row in zip(row_nodes, rows, strict=True):
            self.renamed[member.row.get("name")] = f"{code}.{row['code']}"
        return True


class _Refused(ValueError):
    pass


def _title(settings: dict[str, str], fallback: str) -> str:
    return (settings.get("form_title") or settings.get("title") or fallback or "XLSForm")[:200]


def import_workbook(stream: IO[bytes] | str, department_id: int, user: Any, filename: str = "") -> ImportReport:
    """Create a draft survey from the workbook (flushes, never commits) and report what was refused."""
    report = ImportReport()
    max_rows = current_app.config["XLSFORM_MAX_ROWS"]
    try:
        workbook = read(stream, max_rows)
    except WorkbookTooLarge as error:
        report.error = (
            _("the sheet '%(sheet)s' has more than %(n)d rows", sheet=error.sheet, n=max_rows)
            if error.sheet
            else _("the workbook holds more than %(n)d MB of data", n=MAX_UNPACKED_BYTES // (1024 * 1024))
        )
        return report
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        report.error = f"not a readable .xlsx workbook ({type(error).__name__})"
        return report
    if not workbook.survey:
        report.error = "the workbook has no survey sheet with rows"
        return report
    for sheet, reason in workbook.refused_sheets:
        report.refused.append(Finding(sheet, 1, "", f"{reason} are not supported"))
    for sheet in workbook.ignored_sheets:
        report.warnings.append(Finding(sheet, 1, "", "sheet ignored"))
    choices: dict[str, list[Row]] = {}
    for row in workbook.choices:
        choices.setdefault(row.get("list_name"), []).append(row)
    department = db.session.get(Department, department_id)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    fields = {
        "title": _title(workbook.settings, Path(filename).stem),
        "purpose": "",
        "contact_phone": department.office_phone if department else "",
        "starts_at": now + timedelta(days=7),
        "ends_at": now + timedelta(days=37),
    }
    survey = create_survey(department_id, fields, user)
    db.session.flush()
    importer = _Importer(survey, choices, report)
    importer.walk(_tree(workbook.survey, report), "", top=True)
    empty = [page for page in survey.pages if not page.questions]
    for page in empty[: len(survey.pages) - 1]:
        survey.pages.remove(page)
    for position, page in enumerate(survey.pages):
        page.position = position
    if not report.imported:
        report.error = "no question could be imported"
        return report
    report.survey = survey
    audit.record(
        "survey.xlsform_import", survey, detail={"imported": len(report.imported), "refused": len(report.refused)}
    )
    return report
