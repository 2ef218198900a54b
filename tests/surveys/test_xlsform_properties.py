"""Property of the XLSForm import over generated workbooks: any workbook of survey, choices and settings rows, however
odd its cells, imports what it can and refuses the rest row by row with a reason, or is refused as a whole with
one; it never fails with an exception."""

from __future__ import annotations

import io

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.extensions import db
from surveys.transfer.xlsform_import import import_workbook
from tests.factories import make_department, make_user

TYPES = ["text", "integer", "decimal", "date", "note", "select_one yn", "select_multiple yn", "select_one nolist",
         "select one from yn", "rank yn", "range", "begin_group", "begin group", "end_group", "begin_repeat",
         "end_repeat", "calculate", "geopoint", "start", "acknowledge", "image", ""]  # fmt: skip
# What a worksheet can hold: no control characters (openpyxl refuses them when writing).
TEXT = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), max_size=12)
CELL = st.one_of(st.none(), TEXT, st.integers(-5, 5), st.floats(allow_nan=False), st.booleans())
EXPRESSIONS = st.sampled_from(["", "${q1} = 'yes'", ". > 3", "selected(${q2}, 'no')", "${missing} = 1", "((", "."])
SURVEY_ROW = st.tuples(
    st.one_of(st.sampled_from(TYPES), CELL),
    st.one_of(st.sampled_from(["q1", "q2", "q3", "g1", "1bad name", ""]), CELL),
    st.one_of(TEXT, CELL),
    st.one_of(EXPRESSIONS, CELL),
    st.one_of(st.sampled_from(["yes", "no", "true()", "${q1} = 'yes'"]), CELL),
    st.one_of(EXPRESSIONS, CELL),
    st.one_of(st.sampled_from(["", "minimal", "table-list", "list-nolabel", "label", "likert"]), CELL),
    st.one_of(st.sampled_from(["", "start=1 end=5", "start=5 end=1 step=2", "x"]), CELL),
)
CHOICE_ROW = st.tuples(
    st.one_of(st.sampled_from(["yn", "other"]), CELL), st.one_of(st.sampled_from(["yes", "no"]), CELL), CELL
)
SURVEY_HEADER = ["type", "name", "label::中文 (zh)", "relevant", "required", "constraint", "appearance", "parameters"]


def _workbook(survey: list[tuple], choices: list[tuple], title: object) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    for name, header, rows in (("survey", SURVEY_HEADER, survey), ("choices", ["list_name", "name", "label"], choices),
                               ("settings", ["form_title"], [(title,)])):  # fmt: skip
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(SURVEY_ROW, max_size=12), st.lists(CHOICE_ROW, max_size=6), CELL)
def test_any_workbook_imports_or_is_refused_row_by_row_never_with_an_exception(app, survey, choices, title):
    department = make_department()
    try:
        report = import_workbook(io.BytesIO(_workbook(survey, choices, title)), department.id, make_user("editor"))
        db.session.flush()
        assert (report.survey is None) == bool(report.error)
        assert len(set(report.imported)) == len(report.imported)
        for finding in report.refused + report.warnings:
            assert finding.reason
            if finding.sheet == "survey":
                assert 1 <= finding.row <= len(survey) + 1
    finally:
        db.session.rollback()
