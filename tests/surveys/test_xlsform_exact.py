"""Names and choice codes are data: an XLSForm's `Sub-ward`, `24/7`, `tidal flat` and long codes are kept exactly in
the survey, the answers, the CSV columns, the .sav values and value labels and the XLSForm export; rows ODK itself
would refuse are refused with ODK's reason, once; legacy .xls workbooks import; calculations are computed and
cascading choice filters narrow the choices as the respondent answers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pyreadstat
from flask_babel import force_locale

from core.extensions import db
from surveys.models import Answer, QuestionType, Response, ReviewStatus
from surveys.taking.answers import Entry, check_entry, display_options, shown_text, visible_answers
from surveys.taking.steps import build_page
from surveys.transfer import xlsform_export
from surveys.transfer.xlsform_import import ImportReport, import_workbook
from tests.factories import make_department, make_user

LONG_CODE = "a_choice_code_that_runs_well_past_forty_characters_as_real_forms_do"
ENGLISH = {"Accept-Language": "en"}


def _book(
    survey: list[tuple],
    choices: list[tuple],
    choice_header=("list_name", "name", "label"),
    settings: dict | None = None,
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    sheet = book.create_sheet("choices")
    sheet.append(list(choice_header))
    for row in choices:
        sheet.append(list(row))
    if settings:
        sheet = book.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(data: bytes | str, name: str = "form.xlsx") -> ImportReport:
    department = make_department()
    stream = data if isinstance(data, str) else io.BytesIO(data)
    with force_locale("en"):
        report = import_workbook(stream, department.id, make_user("editor", department), name)
    db.session.flush()
    return report


def _codes_form() -> bytes:
    return _book(
        [
            ("type", "name", "label"),
            ("select_one hours", "opening_hours", "Opening hours"),
            ("text", "Sub-ward", "Sub-ward"),
            ("select_multiple land", "land", "Land"),
            ("text", "1st", "Starts with a digit"),
            ("text", "Sub-ward", "The same name again"),
        ],
        [
            ("hours", "24/7", "Always open"),
            ("hours", LONG_CODE, "Long"),
            ("hours", "24/7", "Duplicate"),
            ("land", "tidal flat", "Tidal flat"),
            ("land", "forest", "Forest"),
        ],
    )


def test_names_and_choice_codes_are_kept_exactly_and_odk_refusals_are_said_once(app) -> None:
    report = _import(_codes_form())
    assert report.imported == ["opening_hours", "Sub-ward", "land"]
    questions = {q.code: q for q in report.survey.questions}
    assert [o.code for o in questions["opening_hours"].options] == ["24/7", LONG_CODE]
    assert [o.code for o in questions["land"].options] == ["tidal flat", "forest"]
    refused = {(f.sheet, f.row): f.reason for f in report.refused}
    assert refused[("choices", 4)] == (
        "the name '24/7' is used twice in the list 'hours' (ODK refuses it too): the first is kept"
    )
    assert refused[("survey", 5)] == "'1st' is not a valid XLSForm name (ODK refuses it too)"
    assert refused[("survey", 6)] == "the name 'Sub-ward' is already used (ODK refuses it too)"
    warnings = [(f.sheet, f.row, f.reason) for f in report.warnings]
    assert warnings == [
        ("choices", 5, "the choice 'tidal flat' has a space: ODK cannot select it in a multiple choice")
    ]


def test_duplicates_odk_allows_by_setting_are_still_refused_with_our_reason(app) -> None:
    survey = [("type", "name", "label"), ("select_one hours", "opening_hours", "Opening hours")]
    choices = [("hours", "24/7", "Always"), ("hours", "24/7", "Again")]
    report = _import(_book(survey, choices, settings={"allow_choice_duplicates": "yes"}))
    assert [(f.row, f.reason) for f in report.refused] == [
        (3, "the name '24/7' is used twice in the list 'hours': choices need distinct codes here")
    ]


def test_refusal_reasons_are_in_the_editors_language(app) -> None:
    department = make_department()
    report = import_workbook(io.BytesIO(_codes_form()), department.id, make_user("editor", department), "x.xlsx")
    assert {f.reason for f in report.refused} >= {"“1st”不是有效的 XLSForm 名称（ODK 同样拒收）"}


def test_exact_codes_survive_answers_csv_sav_and_the_xlsform_export(app, client, auth, tmp_path: Path) -> None:
    report = _import(_codes_form())
    survey = report.survey
    survey.status = ReviewStatus.APPROVED
    survey.starts_at = survey.starts_at - timedelta(days=30)
    for code in ("24/7", LONG_CODE):
        response = Response(survey_id=survey.id, submitted_at=survey.starts_at, complete=True)
        response.answers = [
            Answer(question_code="opening_hours", value=code),
            Answer(question_code="Sub-ward", value="x"),
        ]
        db.session.add(response)
    db.session.commit()
    auth.login_as("editor", survey.department)
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/manage/surveys/{survey.id}/export.csv", headers=ENGLISH).get_data(as_text=True))
        )
    )
    assert [row["opening_hours"] for row in rows] == ["24/7", LONG_CODE] and rows[0]["Sub-ward"] == "x"
    assert "land_tidal flat" in rows[0]
    sav = tmp_path / "export.sav"
    with client.get(f"/manage/surveys/{survey.id}/export.sav", headers=ENGLISH) as response:
        sav.write_bytes(response.data)
    data, meta = pyreadstat.read_sav(str(sav), output_format="dict")
    assert data["opening_hours"] == ["24/7", LONG_CODE]
    assert meta.variable_value_labels["opening_hours"] == {"24/7": "Always open", LONG_CODE: "Long"}
    assert meta.column_names_to_labels["Sub_ward"] == "Sub-ward"  # SPSS's own naming rule, the label says which
    target = tmp_path / "back.xlsx"
    xlsform_export.write(survey, target)
    again = _import(str(target), "back.xlsx")
    assert again.imported == report.imported and again.refused == []
    assert [o.code for o in again.survey.questions[0].options] == ["24/7", LONG_CODE]


def test_a_legacy_xls_field_form_imports(app) -> None:
    report = _import(str(Path(__file__).parent / "xlsform" / "hotosm_toilets.xls"), "hotosm_toilets.xls")
    assert report.error == "" and len(report.imported) > 10
    assert len([f for f in report.warnings if "metadata" in f.reason]) == 1
    assert all(f.reason for f in report.refused)


def _cascade_form() -> bytes:
    return _book(
        [
            ("type", "name", "label", "calculation", "choice_filter", "relevant", "appearance"),
            ("begin_group", "p1", "Where", "", "", "", "field-list"),
            ("select_one state", "state", "State"),
            ("integer", "age", "Age"),
            ("calculate", "months", "", "${age} * 12"),
            ("calculate", "grown", "", "if(${age} >= 18, 'adult', 'minor')"),
            ("end_group",),
            ("begin_group", "p2", "Details", "", "", "", "field-list"),
            ("select_one county", "county", "County", "", "state = ${state}"),
            ("text", "work", "Work", "", "", "${grown} = 'adult' and ${months} > 240"),
            ("note", "summary", "${months} months, ${grown}"),
            ("end_group",),
        ],
        [
            ("state", "north", "North", ""),
            ("state", "south", "South", ""),
            ("county", "hill", "Hill", "north"),
            ("county", "lake", "Lake", "north"),
            ("county", "delta", "Delta", "south"),
        ],
        ("list_name", "name", "label", "state"),
    )


def test_calculations_are_computed_and_a_cascading_select_shows_the_matching_choices(app) -> None:
    report = _import(_cascade_form())
    assert report.refused == [] and report.imported == ["state", "age", "months", "grown", "county", "work", "summary"]
    survey = report.survey
    questions = {q.code: q for q in survey.questions}
    assert questions["months"].type is QuestionType.CALCULATE
    answers = visible_answers(survey.questions, {"state": "north", "age": 30, "months": 1})
    assert answers["months"] == 360 and answers["grown"] == "adult"  # computed, whatever was posted
    assert "grown" in visible_answers(survey.questions, {"state": "north"})  # if() of an empty age: 'minor'
    state = build_page(survey, 1, answers, {}, {})
    county = state.entries["county"]
    assert [o.code for o in display_options(questions["county"], "seed", county)] == ["hill", "lake"]
    assert [q.code for q in state.questions] == ["county", "work", "summary"]
    assert shown_text(questions["summary"], state.entries["summary"]) == "360 months, adult"  # labels show answers
    entry = Entry("delta")  # a crafted POST of a choice the filter leaves out
    with force_locale("en"):
        check_entry(questions["county"], entry, answers)
    assert entry.errors == ["Choose one of the options."]
    entry = Entry("lake")
    check_entry(questions["county"], entry, answers)
    assert entry.errors == []
    minor = visible_answers(survey.questions, {"state": "south", "age": 12, "work": "x"})
    assert minor["grown"] == "minor" and "work" not in minor  # the relevant on calculations hides it
