"""Response exports: .xlsx (responses + codebook), CSV with and without BOM, SPSS .sav with Chinese labels;
filters apply, formulas are neutralised, and every download is audited with who took it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pyreadstat

from core.audit import AuditEvent
from core.extensions import db
from tests.surveys.results_data import add_responses, every_type_survey, stored

ENGLISH = {"Accept-Language": "en"}


def _survey_with_answers(count: int = 30):
    survey = every_type_survey(title="居民满意度调查")
    add_responses(survey, count, incomplete_every=6)
    db.session.commit()
    return survey


class _Download:
    def __init__(self, headers, data: bytes) -> None:
        self.headers, self.data = headers, data


def _get(client, survey, query: str) -> _Download:
    with client.get(f"/manage/surveys/{survey.id}/{query}", headers=ENGLISH) as response:  # closes the temp file
        assert response.status_code == 200, response.data[:300]
        return _Download(response.headers, response.data)


def test_xlsx_has_one_row_per_response_and_a_codebook(app, client, auth) -> None:
    survey = _survey_with_answers()
    auth.login_as("editor", survey.department)
    response = _get(client, survey, "export.xlsx")
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Responses", "Codebook"]
    rows = list(book["Responses"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    expected = stored(survey)
    assert len(body) == len(expected)
    for name in (
        "street",
        "street_other_text",
        "services",
        "services_1",
        "services_other",
        "services_other_text",
        "rating_r1",
        "rating_r2",
        "priorities_1",
        "priorities_3",
        "overall",
        "nps",
        "visit",
        "suggestion",
    ):
        assert name in header
    column = {name: index for index, name in enumerate(header)}
    by_id = {r.id: answers for r, answers in expected}
    for row in body:
        answers = by_id[row[column["response_id"]]]
        assert row[column["street"]] == answers["street"]
        assert row[column["services_2"]] == int("2" in answers["services"])
        assert row[column["rating_r2"]] == answers["rating"]["r2"]
        assert row[column["nps"]] == answers["nps"]
        ranking = answers.get("priorities")
        assert row[column["priorities_2"]] == (ranking.index("2") + 1 if ranking else None)
        if answers.get("suggestion", "").startswith("="):
            assert row[column["suggestion"]] == "'" + answers["suggestion"]  # a formula stays text
    codebook = list(book["Codebook"].iter_rows(values_only=True))
    street = next(row for row in codebook if row[0] == "street")
    assert street[2] == "single" and "1=新屯街道" in street[3] and "other=" in street[3]
    assert any(row[0] == "rating" and "r1=办事效率" in row[3] for row in codebook)


def test_xlsx_in_labels_shows_option_labels(app, client, auth) -> None:
    survey = _survey_with_answers()
    auth.login_as("editor", survey.department)
    book = openpyxl.load_workbook(io.BytesIO(_get(client, survey, "export.xlsx?labels=1").data))
    rows = list(book["Responses"].iter_rows(values_only=True))
    labels = {"1": "新屯街道", "2": "搭连街道", "3": "万新街道", "other": "Other"}
    street = rows[0].index(next(title for title in rows[0] if title and title.startswith("问题 street")))
    assert [row[street] for row in rows[1:]] == [labels[a["street"]] for _r, a in stored(survey)]


def test_csv_with_and_without_bom_and_with_filters(app, client, auth) -> None:
    survey = _survey_with_answers()
    auth.login_as("editor", survey.department)
    plain = _get(client, survey, "export.csv").data
    excel = _get(client, survey, "export.csv?bom=1").data
    assert not plain.startswith(b"\xef\xbb\xbf") and excel.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(plain.decode("utf-8"))))
    assert len(rows) == len(stored(survey))
    assert any(row["services_other_text"] == "'=cmd|' /C calc'!A0" for row in rows)
    assert all(not row["suggestion"].startswith("=") for row in rows)

    filtered = _get(client, survey, "export.csv?answer=street:2&status=all").data.decode()
    expected = [r for r, a in stored(survey, complete=None) if a["street"] == "2"]
    assert len(list(csv.DictReader(io.StringIO(filtered)))) == len(expected)


def test_sav_has_chinese_variable_and_value_labels(app, client, auth, tmp_path: Path) -> None:
    survey = _survey_with_answers()
    auth.login_as("approver", survey.department)
    path = tmp_path / "export.sav"
    path.write_bytes(_get(client, survey, "export.sav").data)
    data, meta = pyreadstat.read_sav(str(path), output_format="dict")
    assert meta.column_names_to_labels["street"] == "问题 street"
    assert meta.variable_value_labels["street"] == {1.0: "新屯街道", 2.0: "搭连街道", 3.0: "万新街道", 4.0: "Other"}
    assert meta.variable_value_labels["rating_r1"][5.0] == "很不满意"
    expected = stored(survey)
    assert len(data["response_id"]) == len(expected)
    numbers = {"1": 1.0, "2": 2.0, "3": 3.0, "other": 4.0}
    assert data["street"] == [numbers[a["street"]] for _r, a in expected]
    assert data["overall"] == [float(a["overall"]) for _r, a in expected]
    assert "services" not in data and data["services_1"] == [float("1" in a["services"]) for _r, a in expected]


def test_every_export_is_audited_with_who_took_it(app, client, auth) -> None:
    survey = _survey_with_answers(8)
    user = auth.login_as("editor", survey.department)
    for query in ("export.csv?answer=street:1", "export.xlsx?labels=1", "export.sav"):
        _get(client, survey, query)
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "survey.export")).all()
    assert [event.detail["format"] for event in events] == ["csv", "xlsx", "sav"]
    assert all(event.actor_id == user.id and event.object_id == str(survey.id) for event in events)
    assert events[0].detail["filters"] == {"answer": "street:1"} and events[1].detail["labels"] is True


def test_exports_are_refused_to_staff_of_other_departments(app, client, auth) -> None:
    survey = _survey_with_answers(3)
    auth.login_as("editor")
    assert client.get(f"/manage/surveys/{survey.id}/export.csv").status_code == 403


def test_cli_exports_each_format(app, runner, tmp_path: Path) -> None:
    survey = _survey_with_answers(12)
    for fmt, extra in (("csv", ["--bom"]), ("xlsx", ["--labels"]), ("sav", [])):
        target = tmp_path / f"out.{fmt}"
        result = runner.invoke(args=["surveys", "export-responses", str(survey.id), "--format", fmt, *extra,
                                     "-o", str(target)])  # fmt: skip
        assert result.exit_code == 0, result.output
        assert f"{len(stored(survey))} responses written" in result.output
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").sheetnames[1]
    assert len(pyreadstat.read_sav(str(tmp_path / "out.sav"), output_format="dict")[0]["street"]) == 10
    assert db.session.scalar(db.select(db.func.count()).where(AuditEvent.action == "survey.export")) == 3
