"""Every workbook in ../shared/data/xlsform/ imports or is refused row by row, and every imported one exports again
as an XLSForm that pyxform (the reference converter) reads as the same questions: names, types, choices and their
codes, labels and hints in every language, and the relevant / constraint / calculation / choice_filter
expressions (compared as our parser reads them, with a group's relevant joined to each of its questions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyxform.xls2json import parse_file_to_json

from core.extensions import db
from surveys.taking import conditions
from surveys.transfer import xlsform_export
from surveys.transfer.xlsform_import import import_workbook
from tests.factories import make_department, make_user

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "xlsform"
WORKBOOKS = sorted(p for p in SHARED.glob("*.xls*")) if SHARED.is_dir() else []


def _conjuncts(*sources: str) -> set[str]:
    """The `and` parts of the expressions, each in our canonical text (XLSForm text made ours first)."""
    parts: set[str] = set()
    for source in sources:
        if not source:
            continue
        source = source.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'}))
        node = conditions.parse(source)
        args = node.args if isinstance(node, conditions.Op) and node.op == "and" else (node,)
        parts |= {conditions.to_source(arg) for arg in args}
    return parts


def _questions(form: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each question by name, with the relevant of the groups around it."""
    found: dict[str, dict[str, Any]] = {}

    def walk(children: list[dict[str, Any]], relevant: tuple[str, ...]) -> None:
        for child in children:
            bind = child.get("bind") or {}
            if child.get("type") in ("group", "repeat"):
                walk(child.get("children") or [], (*relevant, bind.get("relevant", "")))
            else:
                found[child["name"]] = {**child, "relevant_chain": (*relevant, bind.get("relevant", ""))}

    walk(form["children"], ())
    return found


def _choices(form: dict[str, Any], question: dict[str, Any]) -> list[tuple[str, Any]]:
    items = question.get("choices") or form.get("choices", {}).get(question.get("itemset", ""), [])
    return [(item["name"], item.get("label")) for item in items]


def _same_question(original: dict[str, Any], exported: dict[str, Any], forms: tuple[dict, dict]) -> None:
    name = original["name"]
    assert exported["type"] == original["type"], name
    assert exported.get("label") == original.get("label"), name
    assert exported.get("hint") == original.get("hint"), name
    assert _choices(forms[1], exported) == _choices(forms[0], original), name
    bind, bind_out = original.get("bind") or {}, exported.get("bind") or {}
    assert _conjuncts(*original["relevant_chain"]) == _conjuncts(*exported["relevant_chain"]), name
    assert " ".join(original.get("choice_filter", "").split()) == " ".join(exported.get("choice_filter", "").split())
    if original["type"] == "calculate":  # elsewhere pyxform puts a dynamic default there, which is not imported
        assert _conjuncts(bind.get("calculate", "")) == _conjuncts(bind_out.get("calculate", "")), name
    if "constraint" in bind and original["type"] not in ("integer", "decimal", "select all that apply"):
        assert _conjuncts(bind["constraint"]) == _conjuncts(bind_out.get("constraint", "")), name


@pytest.mark.parametrize("path", WORKBOOKS, ids=[p.name for p in WORKBOOKS])
def test_every_shared_workbook_imports_and_round_trips_through_pyxform(app, tmp_path: Path, path: Path) -> None:
    department = make_department()
    report = import_workbook(str(path), department.id, make_user("editor", department), path.name)
    db.session.flush()
    if report.survey is None:  # refused as a whole: the reason is said
        assert report.error
        return
    assert all(finding.reason and finding.row >= 1 for finding in report.refused)
    target = tmp_path / "export.xlsx"
    xlsform_export.write(report.survey, target)
    try:
        original = parse_file_to_json(str(path))
    except Exception:  # a workbook pyxform itself refuses has nothing to compare with
        return
    exported = parse_file_to_json(str(target))
    before, after = _questions(original), _questions(exported)
    matrix_members = {
        member["name"] for q in report.survey.questions for member in (q.xlsform or {}).get("members", [])
    }
    compared = 0
    for code in report.imported:
        if code in before and code not in matrix_members and before[code]["type"] != "group":
            assert code in after, code
            _same_question(before[code], after[code], (original, exported))
            compared += 1
    for name in matrix_members:
        _same_question(before[name], after[name], (original, exported))
    repeat_members = [m["code"] for q in report.survey.questions for m in (q.settings or {}).get("members", [])]
    for name in repeat_members:  # each member of a repeat group, inside its begin_repeat again
        _same_question(before[name], after[name], (original, exported))
    assert compared + len(matrix_members) + len(repeat_members) > 0
