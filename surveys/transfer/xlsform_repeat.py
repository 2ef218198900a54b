"""An XLSForm repeat (`begin_repeat` … `end_repeat`: a household's members) imported as one repeat question whose
members are kept in its settings (surveys/taking/repeats.py answers it). Members are the simple kinds (text,
numbers, dates, choices, notes), each with its relevant and constraint over the answers before the repeat and
the members before it in the same entry; a calculation or choice filter inside, a repeat inside a repeat, or a
kind our members do not have is refused row by row with the reason; groups inside are flattened."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveys.models import QuestionType
from surveys.transfer import xlsform_expr
from surveys.transfer.xlsform_choices import ChoiceListError, translations
from surveys.transfer.xlsform_kinds import DROPDOWN_APPEARANCES, Node, Refused, required, type_words
from surveys.transfer.xlsform_reasons import METADATA, N_, REFUSED_TYPES, reason

if TYPE_CHECKING:
    from surveys.transfer.xlsform_questions import RowImporter

_SIMPLE = {"text": "short_text", "integer": "number", "decimal": "number", "date": "date", "note": "note"}


def _flatten(nodes: list[Node], importer: RowImporter) -> list[Node]:
    rows: list[Node] = []
    for node in nodes:
        if node.kind == "begin_repeat":
            importer.refuse_all(node, reason(N_("a repeat inside a repeat is not supported")))
        elif node.kind == "begin_group":
            if node.row.get("relevant"):
                importer.refuse_all(node, reason(N_("inside a repeat, a group with its own relevant is not supported")))
            else:
                rows.extend(_flatten(node.children, importer))
        else:
            rows.append(node)
    return rows


def _member(importer: RowImporter, node: Node, taken: set[str]) -> dict[str, Any]:
    row, words = node.row, type_words(node.row)
    kind = words[0]
    if kind in REFUSED_TYPES:
        raise Refused(reason(REFUSED_TYPES[kind]))
    if any(row.get(column) for column in ("calculation", "choice_filter")):
        raise Refused(reason(N_("inside a repeat, calculations and choice filters are not supported")))
    name = row.get("name")
    code = importer.code_for(row) if name not in taken else ""
    if not code:
        raise Refused(reason(N_("the name '%(name)s' is already used (ODK refuses it too)"), name=name))
    appearance = row.get("appearance").lower().split()
    renamed = {**importer.renamed, **{earlier: earlier for earlier in taken}}
    known = [*importer.codes, *taken]
    conditions = {}
    for column, key in (("relevant", "show_if"), ("constraint", "validation")):
        if row.get(column):
            source = xlsform_expr.normalise_quotes(row.get(column))[0]
            conditions[key] = xlsform_expr.to_condition(source, renamed, known, importer.refused_names)
    member: dict[str, Any] = {
        **conditions,
        "validation_message": row.text("constraint_message")[:300],
        "code": code,
        "text": row.text("label").strip() or code,
        "help": row.text("hint"),
        "required": required(row),
        "xlsform": {column: found for column in ("label", "hint") if (found := translations(row, column))},
    }
    if kind in ("select_one", "select_multiple"):
        if len(words) < 2:
            raise Refused(reason(N_("no choice list named")))
        choices = importer.choices.choices(words[1], multiple=kind == "select_multiple")
        member["options"] = [[choice.code, choice.label, choice.translations] for choice in choices]
        dropdown = any(a.startswith(DROPDOWN_APPEARANCES) for a in appearance)
        member["type"] = "multiple" if kind == "select_multiple" else "dropdown" if dropdown else "single"
    elif kind in _SIMPLE:
        member["type"] = _SIMPLE[kind]
        member["integer"] = kind == "integer"
        if kind == "text" and "multiline" in appearance:
            member["type"] = "long_text"
    else:
        raise Refused(reason(N_("the type '%(type)s' is not supported"), type=row.get("type")))
    return member


def import_repeat(importer: RowImporter, node: Node, relevant: str) -> None:
    """Save the repeat as one question, its rows as members; refuse the rows that cannot be members."""
    members: list[dict[str, Any]] = []
    taken: set[str] = set()
    for child in _flatten(node.children, importer):
        kind = (type_words(child.row) or [""])[0]
        if kind in METADATA:
            importer.metadata.append(child.row)
            continue
        try:
            member = _member(importer, child, taken)
        except (Refused, ChoiceListError, xlsform_expr.ExpressionError) as error:
            importer.refuse(child.row, str(error))
            continue
        taken.add(member["code"])
        members.append(member)
    try:
        code = importer.code_for(node.row)
        show_if = importer.expression(node.row, "relevant", relevant)
    except (Refused, xlsform_expr.ExpressionError) as error:
        return importer.refuse(node.row, str(error))
    if not any(member["type"] != "note" for member in members):
        return importer.refuse(node.row, reason(N_("no question of the repeat could be imported")))
    count = node.row.get("repeat_count")
    settings: dict[str, Any] = {"members": members}
    if count.isdigit() and int(count) > 0:
        settings["max_instances"] = int(count)
    elif count:
        importer.warn(node.row, reason(N_("the repeat count is not used: the respondent adds entries")))
    data = {
        "code": code,
        "type": QuestionType.REPEAT.value,
        "text": node.row.text("label").strip() or code,
        "help": node.row.text("hint"),
        "validation": "",
        "validation_message": "",
        "show_if": show_if,
        "required": False,
        "settings": settings,
        "xlsform": {column: found for column in ("label", "hint") if (found := translations(node.row, column))},
    }
    importer.save(node.row, data)
    importer.refused_names.update(taken)  # not referable outside the repeat (ODK needs indexed-repeat() there)
    return None
