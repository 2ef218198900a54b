"""The pieces of one XLSForm survey row: its type words, whether it is required, which question type it becomes
(with its settings), and its constraint as our validation rule plus the bounds our settings hold."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from surveys.models import QuestionType
from surveys.transfer import xlsform_expr
from surveys.transfer.xlsform_read import Row
from surveys.transfer.xlsform_reasons import N_, reason

if TYPE_CHECKING:
    from surveys.transfer.xlsform_questions import RowImporter

INTEGER_RULE = "regex(., '^-?[0-9]+$')"
TRUE_WORDS = {"yes", "true", "true()", "1", "y"}
FALSE_WORDS = {"", "no", "false", "false()", "0", "n"}
DROPDOWN_APPEARANCES = ("minimal", "autocomplete", "autocomplete_chars", "search")


class Refused(ValueError):
    """A row our questions cannot hold; the message says why, in the current language."""


@dataclass
class Finding:
    sheet: str
    row: int
    name: str
    reason: str


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


def required(row: Row) -> bool:
    value = row.get("required").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise Refused(reason(N_("required with a condition is not supported")))


def question_kind(importer: RowImporter, row: Row, words: list[str], data: dict[str, Any]) -> QuestionType:
    kind = words[0]
    appearance = row.get("appearance").lower().split()
    if any(a.startswith("ex:") for a in appearance):
        importer.warn(row, reason(N_("the external app of the appearance is not used")))
    if kind in ("select_one", "select_multiple", "rank"):
        importer.options(row, words, data)
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
        return _range(row, data)
    if kind == "calculate":
        if not row.get("calculation"):
            raise Refused(reason(N_("a calculation without a formula")))
        data["settings"]["calculation"] = importer.expression(row, "calculation")
        data["required"] = False
        return QuestionType.CALCULATE
    raise Refused(reason(N_("the type '%(type)s' is not supported"), type=row.get("type")))


def _range(row: Row, data: dict[str, Any]) -> QuestionType:
    parameters = dict(re.findall(r"(\w+)\s*=\s*([^\s;,]+)", row.get("parameters")))
    try:
        start, end, step = (
            float(parameters.get(key, default)) for key, default in (("start", 1), ("end", 10), ("step", 1))
        )
    except ValueError:
        raise Refused(reason(N_("range parameters must be numbers"))) from None
    if step != 1 or not start.is_integer() or not end.is_integer() or end <= start:
        raise Refused(reason(N_("only whole-number ranges counting up in steps of 1 are supported")))
    if row.get("minyi_type") == "nps" and (start, end) == (0, 10):
        return QuestionType.NPS
    data["settings"].update(scale_min=int(start), scale_max=int(end))
    for key in ("scale_min_label", "scale_max_label"):
        if row.get(key):
            data["settings"][key] = row.get(key)
    return QuestionType.SCALE


def validation(importer: RowImporter, row: Row, kind: QuestionType, data: dict[str, Any]) -> None:
    """The constraint as our rule; `. >= n` / count-selected bounds go to the settings the builder shows."""
    source = importer.expression(row, "constraint")
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
