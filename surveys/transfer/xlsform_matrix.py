"""An XLSForm group that is a matrix in disguise, imported as one matrix question: a `label` row and
`list-nolabel` rows of one choice list, or a table-list group of select_one rows of one list. The member rows'
names and labels in every language are kept, so the export writes the same rows back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from surveys.models import QuestionType
from surveys.transfer.xlsform_choices import ChoiceListError, translations
from surveys.transfer.xlsform_kinds import Node, Refused, required, type_words
from surveys.transfer.xlsform_reasons import N_, reason

if TYPE_CHECKING:
    from surveys.transfer.xlsform_questions import RowImporter


def _shape(group: Node) -> tuple[list[Node], list[Node]] | None:
    """(label rows, answer rows) when the group has a matrix's shape, else None."""
    members = group.children
    if not members or any(m.kind != "question" for m in members):
        return None
    words = [type_words(m.row) for m in members]
    if any(w[0] != "select_one" or len(w) != 2 or w[1] != words[0][1] for w in words):
        return None
    if any(m.row.get("relevant") or m.row.get("constraint") or m.row.get("choice_filter") for m in members):
        return None
    looks = [m.row.get("appearance").lower() for m in members]
    label_rows = [m for m, look in zip(members, looks, strict=True) if look == "label"]
    row_nodes = [m for m, look in zip(members, looks, strict=True) if look == "list-nolabel"]
    idiom = len(label_rows) <= 1 and row_nodes and len(label_rows) + len(row_nodes) == len(members)
    table = "table-list" in group.row.get("appearance").lower() and len(members) >= 2 and not any(looks)
    if idiom:
        return label_rows, row_nodes
    return ([], members) if table else None


def import_matrix(importer: RowImporter, group: Node, relevant: str) -> bool:
    """Import `group` as one matrix question when it has the matrix shape; False when it does not."""
    shape = _shape(group)
    if shape is None:
        return False
    label_rows, row_nodes = shape
    prefix = group.row.get("name") + "_"
    rows, members = [], []
    for member in group.children:
        name = member.row.get("name")
        members.append(
            {"name": name, "appearance": member.row.get("appearance"), "label": translations(member.row, "label")}
        )
        if member in row_nodes:
            rows.append({"code": name.removeprefix(prefix) or name, "label": member.row.text("label") or name})
    text = group.row.text("label") or (label_rows[0].row.text("label") if label_rows else group.row.get("name"))
    try:
        code = importer.code_for(group.row)
        list_name = type_words(row_nodes[0].row)[1]
        data: dict[str, Any] = {
            "code": code,
            "type": QuestionType.MATRIX.value,
            "text": text,
            "help": group.row.text("hint"),
            "validation": "",
            "validation_message": "",
            "show_if": relevant,
            "required": all(required(m.row) for m in row_nodes),
            "settings": {"rows": rows},
            "options": importer.choices.choices(list_name),
            "xlsform": {
                "label": translations(group.row, "label"),
                "hint": translations(group.row, "hint"),
                "members": members,
                "list_name": list_name,
                "appearance": group.row.get("appearance"),
            },
        }
    except (Refused, ChoiceListError) as error:
        importer.refuse_all(group, str(error))
        return True
    if len({row["code"] for row in rows}) != len(rows):
        importer.refuse_all(group, reason(N_("two rows of the matrix have the same name")))
        return True
    importer.save(group.row, data)
    for member, row in zip(row_nodes, rows, strict=True):
        importer.renamed[member.row.get("name")] = f"{code}.{row['code']}"
    return True
