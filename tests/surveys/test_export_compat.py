"""The fast exports write exactly what the first exporter wrote: same rows, cells, labels and neutralising.

The golden files in tests/surveys/golden/ were written by the exporter of commit 57a7d27 (per-cell readers
over the answer rows) from the survey built here; regenerate them only on purpose, with
`EXPORT_GOLDEN=write pytest tests/surveys/test_export_compat.py`, and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest

from core.extensions import db
from surveys.models import Answer, Response
from tests.surveys.results_data import START, add_responses, every_type_survey

GOLDEN = Path(__file__).parent / "golden"
ENGLISH = {"Accept-Language": "en"}
# Cells a spreadsheet would run as formulas, and values the survey does not know (a removed option, a bad date).
AWKWARD_ANSWERS: list[tuple[dict[str, Any], dict[str, str]]] = [
    ({"street": "gone", "visit": "bad", "suggestion": " =SUM(A1:A9)", "years": -3}, {}),
    ({"street": "other", "suggestion": "\t=1+1", "nps": 0, "services": []}, {"street": "＝危险"}),
    ({"suggestion": "－1", "rating": {"r1": "9", "zz": "1"}, "priorities": ["3", "x"]}, {"street": "-1"}),
    ({"suggestion": "@sum", "overall": 2.5, "age": "2"}, {"services": "+cmd"}),
]
EXPORTS = {
    "codes_all.csv": "export.csv?status=all",
    "labels_bom_filtered.csv": "export.csv?labels=1&bom=1&answer=services:2",
    "codes_dates.csv": "export.csv?since=2025-03-05&until=2025-03-20&status=incomplete",
    "codes.xlsx": "export.xlsx?status=all",
    "labels_filtered.xlsx": "export.xlsx?labels=1&answer=street:other",
    "codes.sav": "export.sav?status=all",
}


def compat_survey() -> Any:
    survey = every_type_survey(title="兼容性问卷")
    survey.questions[0].options[0].label = "=新屯街道"  # a label that would run as a formula
    add_responses(survey, 40, seed=5, incomplete_every=6)
    for n, (values, other) in enumerate(AWKWARD_ANSWERS):
        response = Response(survey_id=survey.id, submitted_at=START + timedelta(hours=5 * n), complete=n != 1)
        response.answers = [Answer(question_code=c, value=v, other_text=other.get(c, "")) for c, v in values.items()]
        db.session.add(response)
    db.session.commit()
    return survey


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def readable(name: str, data: bytes, tmp_path: Path) -> Any:
    """The export as comparable JSON: CSV rows, each sheet's cell values, or the .sav data and labels."""
    if name.endswith(".csv"):
        return {
            "bom": data.startswith(b"\xef\xbb\xbf"),
            "rows": list(csv.reader(io.StringIO(data.decode("utf-8-sig")))),
        }
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        return {sheet.title: [[_plain(v) for v in row] for row in sheet.iter_rows(values_only=True)] for sheet in book}
    path = tmp_path / name
    path.write_bytes(data)
    frame, meta = pyreadstat.read_sav(str(path), output_format="dict")
    return {
        "data": {column: [_plain(v) for v in values] for column, values in frame.items()},
        "labels": meta.column_names_to_labels,
        "value_labels": {
            k: {str(code): label for code, label in v.items()} for k, v in meta.variable_value_labels.items()
        },
    }


@pytest.mark.parametrize("name", list(EXPORTS))
def test_export_is_what_the_first_exporter_wrote(app, client, auth, tmp_path: Path, name: str) -> None:
    survey = compat_survey()
    auth.login_as("editor", survey.department)
    with client.get(f"/manage/surveys/{survey.id}/{EXPORTS[name]}", headers=ENGLISH) as response:
        assert response.status_code == 200
        got = json.loads(json.dumps(readable(name, response.data, tmp_path), default=str))
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("EXPORT_GOLDEN") == "write":
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))
