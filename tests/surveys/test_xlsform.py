"""XLSForm: the real workbooks of tests/surveys/xlsform/ (copied from shared/data/xlsform) import what our model can
express and list every other row with its reason (here in English; the editor's language elsewhere); names and
choice codes are kept exactly; a survey with every question type survives export + import."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from flask_babel import force_locale

from core.audit import AuditEvent
from core.extensions import db
from surveys.models import QuestionType, ReviewStatus, Survey
from surveys.transfer import xlsform_export
from surveys.transfer.xlsform_import import INTEGER_RULE, ImportReport, import_workbook
from tests.factories import make_department, make_user
from tests.surveys.helpers import make_survey

WORKBOOKS = Path(__file__).parent / "xlsform"


def _import(name: str) -> ImportReport:
    department = make_department()
    with force_locale("en"):
        report = import_workbook(str(WORKBOOKS / name), department.id, make_user("editor", department), name)
    db.session.flush()
    return report


def _refused(report: ImportReport) -> dict[int, str]:
    return {finding.row: finding.reason for finding in report.refused if finding.sheet.lower() == "survey"}


def _question(report: ImportReport, code: str):
    return next(q for q in report.survey.questions if q.code == code)


def test_spec_test_workbook(app) -> None:
    report = _import("xlsform_spec_test.xlsx")
    survey = report.survey
    assert survey.title == "Spec test" and survey.status is ReviewStatus.DRAFT
    refused = _refused(report)
    # The repeat (rows 15-29) is one question; its rows, groups inside flattened, are its members.
    repeat = _question(report, "repeat_test")
    assert repeat.type is QuestionType.REPEAT
    members = {m["code"]: m for m in repeat.settings["members"]}
    assert list(members)[:3] == ["required_text", "select_multiple_test", "label-test"]
    assert members["required_text"]["required"] and members["select_multiple_test"]["type"] == "multiple"
    assert members["select_multiple_test"]["validation"] == "not(selected(., 'yes') and selected (., 'no'))"
    expected = {
        30: "acknowledge",
        32: "times of day",
        33: "date and time",
        34: "locations",
        35: "barcodes",
        36: "uploads",
        37: "uploads",
        38: "uploads",
        10: "nothing to show but media",
    }
    for row, words in expected.items():
        assert words in refused[row], (row, refused.get(row))
    for row in (43, 45, 47, 49, 51, 53):  # notes showing metadata, which is not collected
        assert "which was not imported" in refused[row]
    assert set(refused) == set(expected) | {43, 45, 47, 49, 51, 53}
    assert ("columns", 1, "sheet ignored") in {(f.sheet, f.row, f.reason) for f in report.warnings}
    # Device metadata is one line of the report, not a refusal per row.
    metadata = [f for f in report.warnings if "metadata" in f.reason]
    assert len(metadata) == 1 and metadata[0].row == 42
    assert metadata[0].name == "start, end, today, deviceid, uri_deviceid, phonenumber"
    calculation = _question(report, "calculate_test")
    assert calculation.type is QuestionType.CALCULATE and calculation.setting("calculation") == "2+2"

    # Chinese labels are preferred where the workbook has them; the group's relevant joins each question's show-if.
    assert _question(report, "skip_to_end").options[0].label == "是"
    assert _question(report, "address").text == "您好"
    assert _question(report, "my_name").type is QuestionType.LONG_TEXT  # rows=12
    assert _question(report, "my_name").show_if == "not(selected(${skip_to_end}, 'yes'))"
    email = _question(report, "email_note")
    assert "regex(${address}" in email.show_if and "selected(${skip_to_end}, 'yes')" in email.show_if
    assert _question(report, "autocomplete_test").type is QuestionType.DROPDOWN
    assert _question(report, "a_integer").settings == {"integer": True}
    assert _question(report, "a_integer").validation == INTEGER_RULE
    assert _question(report, "a_decimal").validation == ". <= ${a_integer}"
    assert {"_1", "FALSE", "launch", "date_test", "note_test", "calculate_test_output"} <= set(report.imported)
    assert [page.title for page in survey.pages] == ["", "", ""]


def test_bilingual_biomass_form_keeps_repeats_and_refuses_files_and_unknown_functions(app) -> None:
    report = _import("UCL_Biomass_Plot_Form.xlsx")
    refused = _refused(report)
    assert not {11, 12, 91} & set(refused)  # start, end, deviceid: listed once as not collected
    assert [(f.row, f.name) for f in report.warnings if "metadata" in f.reason] == [(11, "start, end, deviceid")]
    assert all("external file" in refused[row] for row in (16, 17, 18, 20))
    assert refused[22] == "locations are not supported" and refused[23] == "uploads are not supported"
    assert refused[26] == refused[27] == "Unknown function 'sqrt'."  # a calculation our language cannot compute
    assert all(refused[row] == "a repeat inside a repeat is not supported" for row in range(43, 51))
    assert refused[36] == "refers to 'latin_name_id', which was not imported"  # a member on a refused member
    trees = _question(report, "trees")
    assert trees.type is QuestionType.REPEAT and "tree_bearing" in {m["code"] for m in trees.settings["members"]}
    assert "repeats a group" in refused[10]  # the phone number pattern could hang a browser
    assert 28 in refused  # a note showing calculated values
    assert report.imported == ["note2", "note1", "leader_name", "leader_name_other", "plant_phase", "canopy_cover",
                               "monumented", "slope", "any_trees", "trees", "stumps_in_plot", "stumps",
                               "regen_in_subplot1", "subplot1", "regen_in_subplot2", "subplot2", "disturbance",
                               "remarks"]  # fmt: skip
    # Curly quotes typed by Excel are straightened; no Chinese here, so the default language (Swahili) is used.
    assert _question(report, "leader_name_other").show_if == "${leader_name} = 'other'"
    assert _question(report, "leader_name").text == "Jina Lako"
    assert [o.code for o in _question(report, "plant_phase").options][:2] == ["2022", "2023"]
    assert [page.title for page in report.survey.pages][:3] == ["Introduction", "Taarifa za mtu anayejaza fomu", "Eneo"]


def test_solid_waste_form_keeps_groups_as_pages_and_choice_codes_as_written(app) -> None:
    report = _import("hotosm_solidwaste.xlsx")
    assert report.survey.title == "Solid Waste"
    refused = _refused(report)
    assert set(refused) == {11, 13}  # rows 2-7 are metadata: one warning
    toilet_page = next(page for page in report.survey.pages if page.title == "Toilets")
    assert [q.code for q in toilet_page.questions][:2] == ["disposal", "wheelchair"]
    assert all(q.show_if == "${amenity}='toilets'" for q in toilet_page.questions)
    assert _question(report, "disposal").type is QuestionType.DROPDOWN  # appearance minimal
    assert _question(report, "opening_hours").options[0].code == "24/7"
    warnings = {(f.row, f.reason) for f in report.warnings}
    assert (
        not any("changed" in why for _row, why in warnings) and (16, "the default answer is not imported") in warnings
    )


@pytest.mark.parametrize(
    ("name", "imported", "refused"),
    [
        ("case_insensitivity.xlsx", ["q1"], {3: "choices from an external list are not supported",
                                            4: "OSM questions are not supported"}),
        ("field-list.xlsx", ["table_list_question"], {}),
        ("group.xlsx", ["family_name", "age"], {4: "the type 'phone number' is not supported"}),
        ("or_other.xlsx", ["fav_color", "fav_pastel"], {}),
        ("text_and_integer.xlsx", ["your_name", "your_age"], {}),
        ("yes_or_no_question.xlsx", ["good_day"], {}),
    ],
)  # fmt: skip
def test_small_workbooks(app, name: str, imported: list[str], refused: dict[int, str]) -> None:
    report = _import(name)
    assert report.imported == imported
    assert _refused(report) == refused


def test_small_workbook_details(app) -> None:
    assert [o.label for o in _question(_import("field-list.xlsx"), "table_list_question").options] == ["是", "没有"]
    colors = _question(_import("or_other.xlsx"), "fav_color")
    assert colors.settings == {"other": True} and [o.code for o in colors.options][-1] == "apricot"
    case = _import("case_insensitivity.xlsx")
    assert case.survey.title == "Yes or no"
    assert {f.sheet for f in case.refused if f.row == 1} == {"EXTERNAL_CHOICES", "ENTITIES", "OSM"}
    assert [page.title for page in _import("group.xlsx").survey.pages] == ["", "Father"]


def _every_type_survey() -> Survey:
    return make_survey(
        [
            [
                ("street", QuestionType.SINGLE, {"options": ["新屯", "搭连", "万新"], "settings": {"other": True},
                                                 "required": True, "help": "请选择您居住的街道"}),
                ("age", QuestionType.DROPDOWN, {"options": ["18–29岁", "30–44岁"]}),
                ("services", QuestionType.MULTIPLE, {
                    "options": ["社保", "户籍", "教育"], "validation": "not(selected(., '1') and selected(., '2'))",
                    "validation_message": "社保和户籍不能同时选",
                    "settings": {"other": True, "min_selections": 1, "max_selections": 2, "shuffle": True}}),
                ("years", QuestionType.NUMBER, {"settings": {"min_value": 0, "max_value": 100},
                                                "validation": ". != 13", "show_if": "${age} = '2'"}),
                ("kids", QuestionType.NUMBER, {"settings": {"integer": True}, "validation": INTEGER_RULE}),
            ],
            [
                ("rating", QuestionType.MATRIX, {"options": ["满意", "一般", "不满意"], "required": True,
                                                 "settings": {"rows": [{"code": "r1", "label": "效率"},
                                                                       {"code": "r2", "label": "态度"}]}}),
                ("overall", QuestionType.SCALE, {"settings": {"scale_min": 1, "scale_max": 7,
                                                              "scale_min_label": "很差", "scale_max_label": "很好"}}),
                ("nps", QuestionType.NPS, {}),
                ("why", QuestionType.LONG_TEXT, {"show_if": "${rating.r1} = '3' or ${overall} <= 2"}),
                ("priorities", QuestionType.RANKING, {"options": ["时间", "网办", "态度"]}),
                ("visit", QuestionType.DATE, {}),
                ("name", QuestionType.SHORT_TEXT, {"validation": "string-length(.) <= 10"}),
                ("thanks", QuestionType.NOTE, {"text": "谢谢参与"}),
            ],
        ],
        title="东洲区公共服务满意度调查",
    )  # fmt: skip


def _shape(survey: Survey) -> list:
    return [
        (
            page.title,
            [
                (
                    q.code,
                    q.type,
                    q.text,
                    q.help,
                    q.required,
                    q.show_if_tree,
                    q.validation_tree,
                    q.validation_message,
                    {k: v for k, v in (q.settings or {}).items() if v not in (None, "", False)},
                    [(o.code, o.label) for o in q.options],
                )
                for q in page.questions
            ],
        )
        for page in survey.pages
    ]


def test_export_then_import_gives_the_same_survey(app) -> None:
    original = _every_type_survey()
    original.pages[1].title = "服务评价"
    db.session.flush()
    assert {q.type for q in original.questions} == set(QuestionType) - {QuestionType.CALCULATE, QuestionType.REPEAT}
    buffer = io.BytesIO()
    xlsform_export.write(original, buffer)
    buffer.seek(0)
    report = import_workbook(buffer, original.department_id, None, "x.xlsx")
    assert report.refused == [] and report.warnings == []
    assert report.survey.title == original.title
    assert _shape(report.survey) == _shape(original)


def test_cli_imports_prints_the_report_and_exports(app, runner, tmp_path: Path) -> None:
    department = make_department("env-bureau")
    db.session.commit()
    result = runner.invoke(args=["surveys", "import-xlsform", str(WORKBOOKS / "group.xlsx"), "--department",
                                 "env-bureau"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "survey!4 phone_number: 不支持题型“phone number”" in result.output  # the default locale: Chinese
    survey = db.session.scalar(db.select(Survey).where(Survey.department_id == department.id))
    assert [q.code for q in survey.questions] == ["family_name", "age"]
    target = tmp_path / "back.xlsx"
    assert runner.invoke(args=["surveys", "export-xlsform", str(survey.id), "-o", str(target)]).exit_code == 0
    rows = list(openpyxl.load_workbook(target)["survey"].iter_rows(values_only=True))
    assert ("text", "family_name") in {(row[0], row[1]) for row in rows}
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "survey.xlsform_import")) is not None


def test_editor_uploads_a_workbook_and_sees_the_refused_rows(app, client, auth) -> None:
    department = make_department()
    auth.login_as("editor", department)
    data = {"department_id": str(department.id),
            "workbook": ((WORKBOOKS / "or_other.xlsx").open("rb"), "or_other.xlsx")}  # fmt: skip
    page = client.post("/manage/surveys/import-xlsform", data=data, content_type="multipart/form-data",
                       headers={"Accept-Language": "en"}).get_data(as_text=True)  # fmt: skip
    data["workbook"][0].close()
    assert "2 questions imported into the draft" in page
    assert "the choice filter reads &#39;yes&#39;, which no choice has (ODK reads it as empty)" in page
    survey = db.session.scalar(db.select(Survey).where(Survey.department_id == department.id))
    assert survey.status is ReviewStatus.DRAFT and survey.questions[1].setting("choice_filter") == "${@pastel}=${@yes}"
