"""An XLSForm repeat (`begin_repeat` … `end_repeat`: a household's members) imported as one repeat question whose
members are kept in its settings (surveys/taking/repeats.py answers it). Members are the simple kinds (text,
numbers, dates, choices, notes) and calculations, each with its relevant, constraint, calculation, choice filter
and label over the answers before the repeat and the members before it in the same entry; the repeat_count (a
number or an earlier answer) fixes the number of entries. A repeat inside a repeat, or a kind our members do not
have, is refused row by row with the reason; groups inside are flattened."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveys.models import QuestionType
from surveys.taking.repeats import MAX_INSTANCES
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


def _expressions(importer: RowImporter, node: Node, taken: set[str]) -> dict[str, Any]:
    """relevant, constraint and calculation as ours, over the answers before the repeat and the earlier members."""
    found = {}
    for column, key in (("relevant", "show_if"), ("constraint", "validation"), ("calculation", "calculation")):
        if node.row.get(column):
            found[key] = importer.expression(node.row, column, members=taken)
    return found


def _kind(importer: RowImporter, node: Node, member: dict[str, Any], taken: set[str]) -> None:
    """The member's type (and its options, choice filter, whole-number flag) into `member`."""
    row, words = node.row, type_words(node.row)
    kind, appearance = words[0], row.get("appearance").lower().split()
    if kind in ("select_one", "select_multiple"):
        if len(words) < 2:
            raise Refused(reason(N_("no choice list named")))
        choices = importer.choices.choices(words[1], multiple=kind == "select_multiple")
        member["options"] = [[choice.code, choice.label, choice.translations, choice.columns] for choice in choices]
        dropdown = any(a.startswith(DROPDOWN_APPEARANCES) for a in appearance)
        member["type"] = "multiple" if kind == "select_multiple" else "dropdown" if dropdown else "single"
        if row.get("choice_filter"):
            source = importer.expression(row, "choice_filter", choice_filter=True, members=taken)
            importer.filter_columns(row, source, choices)
            member["choice_filter"] = source
    elif kind == "calculate":
        if not member.get("calculation"):
            raise Refused(reason(N_("a calculation without a formula")))
        member.update(type="calculate", required=False)
    elif kind in _SIMPLE:
        member["type"] = _SIMPLE[kind]
        member["integer"] = kind == "integer"
        if kind == "text" and "multiline" in appearance:
            member["type"] = "long_text"
    else:
        raise Refused(reason(N_("the type '%(type)s' is not supported"), type=row.get("type")))


def _member(importer: RowImporter, node: Node, taken: set[str]) -> dict[str, Any]:
    row = node.row
    kind = type_words(row)[0]
    if kind in REFUSED_TYPES:
        raise Refused(reason(REFUSED_TYPES[kind]))
    name = row.get("name")
    code = importer.code_for(row) if name not in taken else ""
    if not code:
        raise Refused(reason(N_("the name '%(name)s' is already used (ODK refuses it too)"), name=name))
    text = importer.label_text(row, taken)
    member: dict[str, Any] = {
        **_expressions(importer, node, taken),
        "validation_message": row.text("constraint_message")[:300],
        "code": code,
        "text": text or ("" if kind == "calculate" else code),
        "help": row.text("hint"),
        "required": required(row),
        "xlsform": {column: found for column in ("label", "hint") if (found := translations(row, column))},
    }
    _kind(importer, node, member, taken)
    return member


def _count(importer: RowImporter, node: Node, settings: dict[str, Any]) -> None:
    """The repeat_count (a number, or an expression over earlier answers) as the number of entries asked."""
    if not node.row.get("repeat_count"):
        return
    try:
        source = importer.expression(node.row, "repeat_count")
    except xlsform_expr.ExpressionError as error:
        why = N_("the repeat count is not used (%(error)s): the respondent adds entries")
        return importer.warn(node.row, reason(why, error=str(error)))
    if source.isdigit() and int(source) > MAX_INSTANCES:
        importer.warn(node.row, reason(N_("at most %(n)d entries are asked"), n=MAX_INSTANCES))
    settings["repeat_count"] = source
    return None


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
        text = importer.label_text(node.row) or code
    except (Refused, xlsform_expr.ExpressionError) as error:
        return importer.refuse(node.row, str(error))
    if not any(member["type"] not in ("note", "calculate") for member in members):
        return importer.refuse(node.row, reason(N_("no question of the repeat could be imported")))
    settings: dict[str, Any] = {"members": members}
    _count(importer, node, settings)
    data = {
        "code": code,
        "type": QuestionType.REPEAT.value,
        "text": text,
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
